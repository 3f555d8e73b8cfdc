"""Builds the reference data JobSwap ships, from the O*NET 29.2 database.

    .venv/bin/python scripts/build_reference_data.py [--onet ../shared/data/onet]

Writes src/jobswap/skills/data/skills.tsv: one skill per line with its canonical
name, aliases, O*NET commodity category, "hot technology" flag, the number of
occupations that list it, and whether it is ambiguous (a common word that only
counts inside a skills section). Source: O*NET 29.2 Technology Skills, U.S.
Department of Labor, Employment and Training Administration, CC BY 4.0.
Run it again when O*NET publishes a new release; the output is committed.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "jobswap" / "skills" / "data" / "skills.tsv"
TITLE_WORDS = ROOT / "src" / "jobswap" / "skills" / "data" / "title_words.txt"

VENDORS = (
    "Microsoft",
    "Oracle",
    "Adobe",
    "IBM",
    "Google",
    "Apple",
    "Autodesk",
    "Amazon",
    "Apache",
    "Atlassian",
    "Intuit",
    "Cisco",
    "VMware",
    "Red Hat",
    "Salesforce",
    "SAP",
    "National Instruments",
)

# Words that are skills only where a resume lists skills ("Word", "Access", "Go").
COMMON_WORDS = {
    "access", "word", "project", "teams", "office", "publisher", "paint", "notepad", "forms",
    "sheets", "docs", "drive", "meet", "sites", "slides", "calendar", "books", "video",
    "translate", "analytics", "ads", "classroom", "earth", "scholar", "go", "r", "c", "google",
    "chrome", "keynote", "pages", "numbers", "mail", "maps", "photos", "search", "server",
    "works", "dynamics", "visual", "basic", "edge", "store", "groups", "lens", "one", "live",
    "flow", "stream", "bookings", "planner", "lists", "to do", "whiteboard", "sway", "delve",
    "kaizala", "yammer", "spark", "hive", "pig", "ant", "maven", "solr", "storm", "camel",
    "cassandra", "flex", "tomcat", "struts", "jena", "swift", "ruby", "rust", "dart",
    "julia", "elixir", "scheme", "prolog", "logo", "ada", "oz", "d", "f#", "j", "s", "sage",
    "express", "meteor", "ember", "backbone", "bootstrap", "jade", "mocha", "jasmine", "chai",
    "puppet", "chef", "salt", "vagrant", "jenkins", "travis", "circle", "bamboo", "crucible",
    "fisheye", "sourcetree", "clover", "stash", "confluence", "jira", "trello", "slack", "zoom",
    "box", "dropbox", "evernote", "outlook", "excel", "node", "git", "spring",
}  # fmt: skip

# Common ways people write a skill, mapped to the canonical name (curated for JobSwap).
EXTRA_ALIASES = {
    "JavaScript": ["JS", "ES6", "ECMAScript", "Java Script"],
    "TypeScript": ["TS"],
    "PostgreSQL": ["Postgres", "Postgre SQL", "psql"],
    "Kubernetes": ["K8s", "k8s"],
    "Go": ["Golang"],
    "Node.js": ["NodeJS", "Node JS", "Node"],
    "React": ["ReactJS", "React.js", "React JS"],
    "Google Angular": ["Angular", "AngularJS", "Angular.js"],
    "Microsoft Excel": ["MS Excel", "Excel", "MS-Excel"],
    "Microsoft Word": ["MS Word", "MS-Word"],
    "Microsoft PowerPoint": ["MS PowerPoint", "PowerPoint", "Power Point"],
    "Microsoft Office": ["MS Office", "MS-Office", "Office 365", "Microsoft 365"],
    "Microsoft SQL Server": ["MSSQL", "MS SQL", "SQL Server", "MS SQL Server"],
    "Microsoft .NET Framework": [".NET", "dotnet", "dot net", "ASP.NET"],
    "Microsoft Power BI": ["Power BI", "PowerBI"],
    "Microsoft Azure": ["Azure"],
    "AWS": ["Amazon AWS", "Amazon Web Services"],
    "Google Cloud": ["GCP", "Google Cloud Platform"],
    "Apache Spark": ["PySpark", "Spark SQL"],
    "Apache Hadoop": ["Hadoop", "HDFS"],
    "Apache Kafka": ["Kafka"],
    "Atlassian JIRA": ["JIRA"],
    "Atlassian Confluence": ["Confluence"],
    "Adobe Photoshop": ["Photoshop"],
    "Adobe Illustrator": ["Illustrator"],
    "Autodesk AutoCAD": ["AutoCAD", "Auto CAD"],
    "Intuit QuickBooks": ["QuickBooks", "Quick Books"],
    "HTML": ["HTML5", "HTML 5"],
    "CSS": ["CSS3", "CSS 3"],
    "Oracle Java": ["Java", "Core Java", "J2SE"],
    "Oracle PL/SQL": ["PL/SQL", "PLSQL"],
    "Python": ["Python3", "Python 3", "Python 2"],
    "C++": ["CPP", "C plus plus"],
    "C#": ["C Sharp", "CSharp"],
    "Linux": ["GNU/Linux"],
    "Git": ["GIT"],
    "Jenkins CI": ["Jenkins"],
    "Microsoft Visual Basic": ["VB", "VBA", "Visual Basic"],
    "SAP": ["SAP ERP", "SAP R/3"],
}


GENERIC_WORD = re.compile(
    r"^[A-Z][a-z]+(?:ing|ion|ment|ance|ence|ity|al|ics|ary|ure|ive|ogy|phy|ship|ness|ages?|ers?|ors?)$"
)
GENERIC_NAMES = {
    "Email", "Database", "Chat", "Calendar", "Spreadsheet", "Sales", "Tax", "Payroll", "Wiki", "Music",
    "Dental", "Legal", "Survey", "Recipe", "Inventory", "Invoice", "Route", "Shape", "Square", "Switch",
    "Compass", "Radar", "Directory", "Webinar", "Firewall", "Barcode", "Antivirus", "Dictation", "Graphics",
    "Imaging", "Telephony", "Cents", "Dig", "Posting", "Timeline", "Statistics", "Medical",
    "Analyze", "Shiny", "Velvet", "Loom", "Blink", "Zoom", "Enigma", "Cyclone",
}  # fmt: skip


def generic(name: str) -> bool:
    """A single ordinary word ("Accounting", "Email") rather than a product name."""
    return " " not in name and (name in GENERIC_NAMES or bool(GENERIC_WORD.match(name)))


def canonical(name: str) -> tuple[str, list[str]] | None:
    """(canonical name, aliases) for an O*NET example name, or None for a generic category."""
    aliases: list[str] = []
    if name.endswith(" software"):
        rest = name[: -len(" software")].strip()
        if not rest or not rest[0].isupper() or rest.split()[0].lower() == rest.split()[0] or generic(rest):
            return None
        name = rest
    if not name[0].isupper() and not name[0].isdigit():
        return None
    # "Structured query language SQL": the acronym is the name people use.
    words = name.split()
    last = words[-1]
    if len(words) > 1 and last.isupper() and last.isalpha() and len(last) >= 2:
        initials = "".join(w[0] for w in words[-1 - len(last) : -1]).upper()
        if initials == last:
            long_form = " ".join(words[:-1])
            vendor_free = long_form
            return last, [long_form, vendor_free]
    # "Google Compute Engine (GCE)"
    match = re.match(r"^(.*?)\s*\(([A-Z0-9]{2,})\)$", name)
    if match:
        name, short = match.group(1), match.group(2)
        aliases.append(short)
    for vendor in VENDORS:
        if name.startswith(vendor + " ") and len(name) > len(vendor) + 3:
            aliases.append(name[len(vendor) + 1 :])
    return name, aliases


def ordinary_words(onet: Path) -> set[str]:
    """Every word of O*NET's occupation descriptions: plain English ("reports", "fields",
    "impact", "air"), so a skill named by one of them needs more evidence than the word."""
    words: set[str] = set()
    with (onet / "Occupation Data.txt").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            words.update(re.findall(r"[a-z]+", f"{row['Title']} {row['Description']}".lower()))
    return words | {
        "etc", "forth", "money", "world", "case", "arts", "fast", "reduce", "impact", "fields", "contribute",
        "connect", "call", "apps", "basic", "notes", "teams", "exchange", "project", "reports", "air",
    }  # fmt: skip


def build(onet: Path) -> list[dict[str, str]]:
    skills: dict[str, dict[str, object]] = {}
    ordinary = ordinary_words(onet)
    curated = {a.casefold() for aliases in EXTRA_ALIASES.values() for a in aliases}
    occupations: dict[str, set[str]] = defaultdict(set)
    with (onet / "Technology Skills.txt").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            result = canonical(row["Example"].strip())
            if result is None:
                continue
            name, aliases = result
            entry = skills.setdefault(
                name, {"aliases": set(), "category": row["Commodity Title"], "hot": False}
            )
            entry["aliases"].update(a for a in aliases if a and a != name)  # type: ignore[attr-defined]
            entry["hot"] = bool(entry["hot"]) or row["Hot Technology"] == "Y"
            occupations[name].add(row["O*NET-SOC Code"])
    for target, aliases in EXTRA_ALIASES.items():
        entry = skills.setdefault(target, {"aliases": set(), "category": "Curated by JobSwap", "hot": True})
        entry["aliases"].update(aliases)  # type: ignore[attr-defined]
    # An alias that two skills share is dropped: it cannot say which one is meant.
    owners: dict[str, set[str]] = defaultdict(set)
    for name, entry in skills.items():
        for alias in entry["aliases"]:  # type: ignore[attr-defined]
            owners[alias.casefold()].add(name)
    rows = []
    for name in sorted(skills, key=str.casefold):
        entry = skills[name]
        aliases = sorted(
            a
            for a in entry["aliases"]  # type: ignore[attr-defined]
            if len(owners[a.casefold()]) == 1
            and a.casefold() not in {n.casefold() for n in skills if n != name}
            # "Reports" for Oracle Reports, "Mechanical" for Autodesk Mechanical: a plain word
            # left when the vendor is stripped names nothing on its own
            and not (
                " " not in a and a.casefold() in ordinary and " " in name and a.casefold() not in curated
            )
        )
        ambiguous = name.casefold() in COMMON_WORDS or len(name) <= 2 or generic(name)
        rows.append(
            {
                "name": name,
                "aliases": "|".join(aliases),
                "ambiguous_aliases": "|".join(
                    a for a in aliases if a.casefold() in COMMON_WORDS or len(a) <= 2 or generic(a)
                ),
                "category": str(entry["category"]),
                "hot": "Y" if entry["hot"] else "N",
                "occupations": str(len(occupations.get(name, ()))),
                "ambiguous": "Y" if ambiguous else "N",
                "ordinary_aliases": "|".join(a for a in [name, *aliases] if a.casefold() in ordinary),
            }
        )
    return rows


def title_words(onet: Path) -> list[str]:
    """Words that end job titles ("engineer", "nurse", "gerente" not included: O*NET is English)."""
    counts: dict[str, int] = defaultdict(int)
    for filename, column in (
        ("Alternate Titles.txt", "Alternate Title"),
        ("Sample of Reported Titles.txt", "Reported Job Title"),
    ):
        with (onet / filename).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                words = re.findall(r"[A-Za-z]+", row[column].split("(")[0])
                if words:
                    counts[words[-1].lower()] += 1
    return sorted(w for w, n in counts.items() if n >= 4 and len(w) > 2)


OCCUPATIONS = ROOT / "src" / "jobswap" / "occupations" / "data"


def build_occupations(onet: Path) -> None:
    """occupations.tsv (code, title, job zone), titles.tsv.gz (title -> code), related.tsv."""
    import gzip

    OCCUPATIONS.mkdir(parents=True, exist_ok=True)
    zones: dict[str, str] = {}
    with (onet / "Job Zones.txt").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            zones[row["O*NET-SOC Code"]] = row["Job Zone"]
    titles: dict[str, str] = {}
    header = "# Derived from O*NET 29.2 (U.S. DOL/ETA), CC BY 4.0; see ../NOTICE.md\n"
    with (
        (onet / "Occupation Data.txt").open(encoding="utf-8") as fh,
        (OCCUPATIONS / "occupations.tsv").open("w", encoding="utf-8") as out,
    ):
        out.write(header + "code\ttitle\tjob_zone\n")
        for row in csv.DictReader(fh, delimiter="\t"):
            code = row["O*NET-SOC Code"]
            out.write(f"{code}\t{row['Title']}\t{zones.get(code, '')}\n")
            titles.setdefault(row["Title"].strip(), code)
    for filename, column in (
        ("Sample of Reported Titles.txt", "Reported Job Title"),
        ("Alternate Titles.txt", "Alternate Title"),
    ):
        with (onet / filename).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                titles.setdefault(row[column].strip(), row["O*NET-SOC Code"])
    body = header + "title\tcode\n" + "".join(f"{t}\t{titles[t]}\n" for t in sorted(titles, key=str.casefold))
    with (
        (OCCUPATIONS / "titles.tsv.gz").open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out,
    ):
        out.write(body.encode("utf-8"))  # mtime=0: the same input gives the same bytes
    with (
        (onet / "Related Occupations.txt").open(encoding="utf-8") as fh,
        (OCCUPATIONS / "related.tsv").open("w", encoding="utf-8") as out,
    ):
        out.write(header + "code\trelated_code\ttier\n")
        for row in csv.DictReader(fh, delimiter="\t"):
            out.write(
                f"{row['O*NET-SOC Code']}\t{row['Related O*NET-SOC Code']}\t{row['Relatedness Tier']}\n"
            )
    print(f"wrote {len(titles)} titles and the occupation tables to {OCCUPATIONS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--onet", type=Path, default=ROOT.parent / "shared" / "data" / "onet")
    args = parser.parse_args()
    rows = build(args.onet)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Derived from O*NET 29.2 Technology Skills (U.S. DOL/ETA), CC BY 4.0; see NOTICE.md\n")
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} skills to {OUT.relative_to(ROOT)}")
    words = title_words(args.onet)
    TITLE_WORDS.write_text(
        "# Last words of O*NET 29.2 job titles (U.S. DOL/ETA), CC BY 4.0; see NOTICE.md\n"
        + "\n".join(words)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(words)} title words to {TITLE_WORDS.relative_to(ROOT)}")
    build_occupations(args.onet)


if __name__ == "__main__":
    main()
