"""Resume parsing quality and speed.

1. Field-level precision and recall on annotated resumes (name, email, companies,
   titles, degrees, institutions, skills), JobSwap's parser beside a regex baseline
   measured in the same run. Reads ../shared/data/resumes/annotated when present
   (310 resumes), else the 30-resume sample in benchmarks/data.
2. Pages per second extracting real PDFs (../shared/data/resumes/pdfs, else the
   fixtures), JobSwap's PDFium reader beside plain pypdf text extraction.

    .venv/bin/python benchmarks/resume_parse_bench.py

With the AI parser configured (JOBSWAP_RESUME_PARSER=ai and the provider's JOBSWAP_AI_BASE_URL /
JOBSWAP_AI_API_KEY / JOBSWAP_AI_CHAT_MODEL), an "AI P / R" column shows what the model adds to
the rule-based parse (its answer cleaned and merged as in the service); otherwise it is skipped.
This sends the annotated resumes to the provider.

The annotations are noisy (the dataset's own caveat), and phone numbers are not
annotated in it, so phones are reported from the parser's unit tests only.
"""

from __future__ import annotations

import html
import io
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
SHARED = ROOT.parent / "shared" / "data" / "resumes"
FIXTURES = ROOT / "tests" / "fixtures" / "resumes"  # real PDFs
ANNOTATED = ROOT / "benchmarks" / "data" / "annotated"  # the 30-resume sample

LABELS = {
    "name": ("Name",),
    "email": ("Email Address",),
    "companies": ("Companies worked at",),
    "titles": ("Designation",),
    "dates": ("Years of Experience",),
    "degrees": ("Degree",),
    "institutions": ("College Name",),
    # the dataset's technology and job-specific skills (its third kind, soft skills, is not
    # what a skills taxonomy extracts)
    "skills": ("Tech Tools", "Job Specific Skills"),
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def norm(value: str) -> str:
    value = unicodedata.normalize("NFKD", value.casefold())
    return " ".join(re.sub(r"[^\w+#]", " ", value).split())


def load(path: Path) -> tuple[str, dict[str, set[str]]]:
    raw = path.read_text(encoding="utf-8")
    gold: dict[str, set[str]] = defaultdict(set)
    for label_type, content in re.findall(r'<label type="([^"]+)">(.*?)</label>', raw, flags=re.S):
        for field, wanted in LABELS.items():
            if label_type in wanted and content.strip():
                value = html.unescape(content)  # XML: "&amp;" is the resume's "&"
                if field == "dates":
                    gold[field].update(_ranges(value))
                else:
                    gold[field].add(norm(value))
    # The dataset stores some text as escaped UTF-8 bytes ("\\xe2\\x80\\x94" for an em dash): decode them.
    raw = re.sub(
        r"(?:\\x[0-9a-fA-F]{2})+",
        lambda m: bytes.fromhex(m.group(0).replace("\\x", "")).decode("utf-8", "replace"),
        raw,
    )
    body = re.sub(r"</?cv>|<\?xml[^>]*>", "", raw)
    text = html.unescape(re.sub(r"</?label[^>]*>", "", body))  # entities decoded after the tags are gone
    return text, gold


def _ranges(text: str) -> set[str]:
    """A labelled span's date ranges as "start-end" years ("2016-present"): entries' dates compare
    by year, as the labels rarely give months."""
    from jobswap.resumes.parsing.dates import find_ranges

    return {
        f"{r.start[:4]}-{(r.end or '')[:7] if r.end == 'present' else (r.end or '')[:4]}"
        for r in find_ranges(text)
        if r.start and r.end
    }


def _entry_ranges(experience: list[Any]) -> set[str]:
    return {
        f"{e.start[:4]}-{e.end if e.end == 'present' else e.end[:4]}" for e in experience if e.start and e.end
    }


def jobswap_fields(text: str) -> dict[str, set[str]]:
    from jobswap.resumes.parsing import parse_resume
    from jobswap.skills.taxonomy import taxonomy

    parsed = parse_resume(text)
    return _fields(parsed, taxonomy()) | {
        "titles": {norm(e.title) for e in parsed.experience if e.title}
        | ({norm(parsed.headline)} if parsed.headline else set())
    }


def previous_fields(text: str) -> dict[str, set[str]]:
    """The parser as it was before issue 10 (benchmarks/baselines/resume_v1)."""
    from baselines.resume_v1 import parse_resume
    from baselines.resume_v1.taxonomy import taxonomy

    return _fields(parse_resume(text), taxonomy())


def _fields(parsed: Any, tx: Any) -> dict[str, set[str]]:
    return {
        "name": {norm(parsed.name)} if parsed.name else set(),
        "email": {norm(e) for e in parsed.emails},
        "companies": {norm(e.company) for e in parsed.experience if e.company},
        "titles": {norm(e.title) for e in parsed.experience if e.title},
        "dates": _entry_ranges(parsed.experience),
        "degrees": {norm(e.degree) for e in parsed.education if e.degree},
        "institutions": {norm(e.institution) for e in parsed.education if e.institution},
        # one prediction per skill, matching the gold by its name or any of its aliases
        "skills": {"|".join([norm(s), *(norm(a) for a in _aliases(tx, s))]) for s in parsed.skills},
    }


def _aliases(tx: object, canonical: str) -> list[str]:
    lookup = getattr(tx, "lookup", {})
    return [k for k, v in lookup.items() if v.canonical == canonical][:5]


def ai_extractor(texts: list[str]) -> Callable[[str], dict[str, set[str]]] | None:
    """The AI parser as the service runs it (cleaned, merged with the rules), when configured.
    The model is asked about every text first, in one event loop, eight at a time."""
    from jobswap.config import get_settings

    settings = get_settings()
    if settings.resume_parser != "ai":
        return None
    import asyncio

    from jobswap.ai.client import AIClient, ProviderError
    from jobswap.resumes.parsing import parse_resume
    from jobswap.resumes.parsing.ai import SCHEMA, clean, merge, messages_for
    from jobswap.skills.taxonomy import taxonomy

    async def ask_all() -> dict[str, dict[str, Any]]:
        client = AIClient(settings)
        gate = asyncio.Semaphore(8)

        async def ask(text: str) -> dict[str, Any]:
            async with gate:
                try:
                    return await client.chat_json(
                        messages_for(text, settings.ai_resume_max_chars),
                        SCHEMA,
                        "parsed_resume",
                        settings.ai_chat_model,
                    )
                except ProviderError as exc:
                    print(f"  AI parser failed on one resume ({exc}); the rules stand for it")
                    return {}

        try:
            answers = await asyncio.gather(*(ask(t) for t in texts))
        finally:
            await client.aclose()
        return dict(zip(texts, answers, strict=True))

    answers = asyncio.run(ask_all())

    def extract(text: str) -> dict[str, set[str]]:
        parsed, _ = merge(clean(answers.get(text, {}), text)[0], parse_resume(text))
        return _fields(parsed, taxonomy()) | {
            "titles": {norm(e.title) for e in parsed.experience if e.title}
            | ({norm(parsed.headline)} if parsed.headline else set())
        }

    return extract


def baseline_fields(text: str) -> dict[str, set[str]]:
    """What a few regular expressions get: first line as name, keyword lines for the rest."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]

    def keyword(words: str) -> set[str]:
        return {norm(ln) for ln in lines if re.search(words, ln, re.I) and len(ln) < 80}

    return {
        "name": {norm(lines[0])} if lines else set(),
        "email": {norm(e) for e in EMAIL.findall(text)},
        "companies": keyword(r"\b(ltd|limited|inc|pvt|corp|technologies|solutions|services)\b"),
        "titles": keyword(r"\b(engineer|manager|developer|analyst|consultant|executive|lead)\b"),
        "dates": _ranges(text),
        "degrees": keyword(r"\b(b\.?tech|b\.?e|bachelor|master|mba|m\.?tech|b\.?sc|m\.?sc|diploma)\b"),
        "institutions": keyword(r"\b(university|college|institute|school)\b"),
        "skills": {norm(s) for s in re.split(r"[,\n•]", text) if 1 < len(s.strip()) < 25},
    }


def match(pred: str, gold: str) -> bool:
    if "|" in pred:  # a skill's name and aliases
        return any(match(form, gold) for form in pred.split("|"))
    if re.fullmatch(r"\d{4}-.*", gold):  # date ranges: the same years
        return pred == gold
    return pred == gold or (len(pred) >= 3 and len(gold) >= 3 and (pred in gold or gold in pred))


def score(
    samples: list[tuple[str, dict[str, set[str]]]], extract: Callable[[str], dict[str, set[str]]]
) -> dict[str, tuple[float, float]]:
    tp: dict[str, int] = defaultdict(int)
    n_pred: dict[str, int] = defaultdict(int)
    n_gold: dict[str, int] = defaultdict(int)
    hit_gold: dict[str, int] = defaultdict(int)
    for text, gold in samples:
        pred = extract(text)
        for field in LABELS:
            p, g = pred.get(field, set()), gold.get(field, set())
            n_pred[field] += len(p)
            n_gold[field] += len(g)
            tp[field] += sum(1 for x in p if any(match(x, y) for y in g))
            hit_gold[field] += sum(1 for y in g if any(match(x, y) for x in p))
    return {
        f: (tp[f] / n_pred[f] if n_pred[f] else 0.0, hit_gold[f] / n_gold[f] if n_gold[f] else 0.0)
        for f in LABELS
    }


def heading_recall(
    samples: list[tuple[str, dict[str, set[str]]]], extract: Callable[[str], dict[str, set[str]]], field: str
) -> float:
    """Recall over the labels that stand on a short heading-like line (an entry's own title or
    company), leaving out mentions inside sentences ("worked closely with project managers")."""
    from jobswap.resumes.parsing import restore_lines
    from jobswap.resumes.parsing.entries import heading_like

    found = wanted = 0
    for text, gold in samples:
        lines = [norm(ln) for ln in restore_lines(text).splitlines() if heading_like(ln)]
        pred = extract(text)[field]
        for label in gold.get(field, ()):
            if any(label in ln for ln in lines):
                wanted += 1
                found += any(match(x, label) for x in pred)
    return found / wanted if wanted else 0.0


def lenient_skills_precision(
    samples: list[tuple[str, dict[str, set[str]]]], extract: Callable[[str], dict[str, set[str]]]
) -> float:
    """Skills precision against every skill labelled anywhere in the set, not only in that resume."""
    labelled = set().union(*(gold.get("skills", set()) for _, gold in samples))
    right = total = 0
    for text, _ in samples:
        for found in extract(text)["skills"]:
            total += 1
            right += any(form in labelled for form in found.split("|"))
    return right / total if total else 0.0


JUDGED = ROOT / "benchmarks" / "data" / "judged"  # hand judgements of predictions the labels lack


def _verdicts(name: str, yes: str) -> dict[tuple[str, str], bool] | None:
    """(resume file, value) -> judged so, from a judgement file of benchmarks/data/judged."""
    source = JUDGED / name
    if not source.exists():
        return None
    out = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        resume, value, verdict = line.split("\t")
        out[(resume, value)] = verdict == yes
    return out


def _per_resume(
    paths: list[Path],
    samples: list[tuple[str, dict[str, set[str]]]],
    extract: Callable[[str], dict[str, set[str]]],
    field: str,
) -> Iterator[tuple[str, set[str], set[str]]]:
    """(resume file, predicted values, labelled values) of one field, resume by resume."""
    for path, (text, gold) in zip(paths, samples, strict=True):
        yield path.name, extract(text).get(field, set()), gold.get(field, set())


def judged_precision(
    paths: list[Path],
    samples: list[tuple[str, dict[str, set[str]]]],
    extract: Callable[[str], dict[str, set[str]]],
    field: str,
) -> tuple[float, int, int, int] | None:
    """Precision with the predictions that the labels call wrong weighed by the share of them
    judged right by hand (benchmarks/data/judged): (estimate, wrong by the labels, judged of
    them, judged right). None without a judgement file."""
    verdicts = _verdicts(f"{field}.tsv", "right")
    if verdicts is None:
        return None
    right = total = 0
    unlabelled: list[tuple[str, str]] = []
    for name, predicted, labels in _per_resume(paths, samples, extract, field):
        for found in predicted:
            total += 1
            if any(match(found, label) for label in labels):
                right += 1
            else:
                unlabelled.append((name, found.split("|")[0]))
    judged = [verdicts[key] for key in unlabelled if key in verdicts]
    if not judged or not total:
        return None
    share = sum(judged) / len(judged)
    return (right + share * len(unlabelled)) / total, len(unlabelled), len(judged), sum(judged)


def judged_recall(
    paths: list[Path],
    samples: list[tuple[str, dict[str, set[str]]]],
    extract: Callable[[str], dict[str, set[str]]],
    field: str,
) -> tuple[float, int, int, int] | None:
    """Recall with the missed labels weighed by the share of them judged to be the person's own
    job on an entry's line (benchmarks/data/judged/*_missed.tsv): (estimate, missed, judged of
    them, judged genuine). A label in a sentence or a client list is no miss of an entry reader."""
    verdicts = _verdicts(f"{field}_missed.tsv", "yes")
    if verdicts is None:
        return None
    found = 0
    missed: list[tuple[str, str]] = []
    for name, predicted, labels in _per_resume(paths, samples, extract, field):
        for label in labels:
            if any(match(x, label) for x in predicted):
                found += 1
            else:
                missed.append((name, label))
    judged = [verdicts[key] for key in missed if key in verdicts]
    if not judged:
        return None
    genuine = sum(judged) / len(judged)
    return found / (found + genuine * len(missed)), len(missed), len(judged), sum(judged)


# Skills the issue saw extracted from words that meant something else ("Oracle Reports" from
# "reports", "Adobe AIR" from "Air Force"), and two that were missed (LabVIEW, Java).
SUSPECT_SKILLS = (
    "Oracle Reports", "ETC", "Microsoft Money", "CASE", "LAWS", "Adobe AIR", "IMPACT", "REDUCE", "FIELDS",
    "Autodesk World", "Ada", "Forth", "National Instruments LabVIEW", "Oracle Java",
)  # fmt: skip


def suspect_skills(paths: list[Path]) -> None:
    """In how many real PDFs each suspect skill is found, by the current and the previous parser."""
    from baselines.resume_v1 import parse_resume as previous_parse
    from jobswap.resumes.extract.pdf import extract_pdf
    from jobswap.resumes.parsing import parse_resume

    now: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for path in paths:
        text = extract_pdf(path.read_bytes(), max_pages=20).text
        for skill in set(parse_resume(text).skills) & set(SUSPECT_SKILLS):
            now[skill] += 1
        for skill in set(previous_parse(text).skills) & set(SUSPECT_SKILLS):
            before[skill] += 1
    print(f"suspect skills in {len(paths)} real PDFs (files found in: previous -> current)")
    print("  " + ", ".join(f"{s} {before[s]} -> {now[s]}" for s in SUSPECT_SKILLS))


COLD_PARSE = """
import sys, time
start = time.perf_counter()
sys.path.insert(0, {benchmarks!r})
from {module} import parse_resume
parse_resume(sys.stdin.read())
print(time.perf_counter() - start)
"""


def cold_parse_seconds(module: str, text: str, runs: int = 3) -> float:
    """One resume parsed in a fresh process, imports and reference data included: what every
    sandboxed parse pays (the sandbox starts a new child per file). Median of `runs`."""
    import statistics
    import subprocess

    code = COLD_PARSE.format(benchmarks=str(ROOT / "benchmarks"), module=module)
    times = [
        float(
            subprocess.run(  # noqa: S603 - this interpreter, the benchmark's own code
                [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def pdf_speed(paths: list[Path]) -> tuple[float, float, int]:
    import pypdf

    from jobswap.resumes.extract.pdf import extract_pdf

    data = [p.read_bytes() for p in paths]
    start = time.perf_counter()
    pages = sum(extract_pdf(d, max_pages=100).pages for d in data)
    ours = pages / (time.perf_counter() - start)
    start = time.perf_counter()
    for d in data:
        for page in pypdf.PdfReader(io.BytesIO(d)).pages:
            page.extract_text()
    base = pages / (time.perf_counter() - start)
    return ours, base, pages


def main() -> None:
    annotated = sorted((SHARED / "annotated").glob("*.xml")) or sorted(ANNOTATED.glob("*.xml"))
    samples = [load(p) for p in annotated]
    jobswap_fields(samples[0][0])  # warm-up: title index, gazetteer and taxonomy load once
    start = time.perf_counter()
    ours = score(samples, jobswap_fields)
    elapsed = time.perf_counter() - start
    previous = score(samples, previous_fields)
    base = score(samples, baseline_fields)
    ai = ai_extractor([text for text, _ in samples])
    with_ai = score(samples, ai) if ai is not None else None
    print(
        f"annotated resumes: {len(samples)} ({annotated[0].parent}), "
        f"parse time {1000 * elapsed / len(samples):.1f} ms/resume"
    )
    names = ["JobSwap P / R", "previous P / R", "regex P / R"] + (["AI P / R"] if with_ai else [])
    print(f"{'field':<13}{''.join(f'{name:>20}' for name in names)}")
    for field in LABELS:
        columns = [ours[field], previous[field], base[field]] + ([with_ai[field]] if with_ai else [])
        cells = "".join(f"{p:>13.2f} / {r:.2f}" for p, r in columns)
        print(f"{field:<13}{cells}")
    if with_ai is None:
        print("AI parser: skipped (set JOBSWAP_RESUME_PARSER=ai and a provider to measure it)")
    for field in ("titles", "companies"):
        cells = "".join(
            f"{heading_recall(samples, e, field):>20.2f}" for e in (jobswap_fields, previous_fields)
        )
        print(
            f"{field} on entry headings: recall {cells}  (labels on a short heading line, not in sentences)"
        )
    for name, extract in (("JobSwap", jobswap_fields), ("previous", previous_fields)):
        lenient = lenient_skills_precision(samples, extract)
        print(f"skills, {name}: {lenient:.2f} of the skills found are labelled as")
    print("  skills somewhere in the data set (the annotators label a skill in some resumes and not others)")
    for field in ("titles", "companies", "skills"):
        judged = judged_precision(annotated, samples, jobswap_fields, field)
        if judged is not None:
            estimate, unlabelled, seen, right = judged
            print(
                f"{field}, JobSwap: precision {estimate:.2f} when the {unlabelled} predictions the labels "
                f"lack count at the share judged right by hand ({right} of {seen} judged)"
            )
    for field in ("titles", "companies"):
        judged_r = judged_recall(annotated, samples, jobswap_fields, field)
        if judged_r is not None:
            estimate, missed, seen, genuine = judged_r
            print(
                f"{field}, JobSwap: recall {estimate:.2f} when the {missed} missed labels count at the share "
                f"judged to be the person's job on an entry line ({genuine} of {seen} judged)"
            )
    pdfs = sorted((SHARED / "pdfs").glob("*/*.pdf")) or sorted(FIXTURES.glob("*.pdf"))
    ours_pps, base_pps, pages = pdf_speed(pdfs)
    print(
        f"PDF text extraction, {len(pdfs)} files / {pages} pages: JobSwap (PDFium, column-aware) "
        f"{ours_pps:.1f} pages/s; baseline pypdf extract_text {base_pps:.1f} pages/s"
    )
    suspect_skills(pdfs)
    sample = samples[0][0]
    now, before = (
        cold_parse_seconds("jobswap.resumes.parsing", sample),
        cold_parse_seconds("baselines.resume_v1", sample),
    )
    print(f"one resume parsed in a fresh process: {now:.2f} s (previous parser {before:.2f} s)")


if __name__ == "__main__":
    main()
