"""Splitting resume text into sections by their headings, in several languages.

Headings are found by what they say, not how they look: a short line whose
words are a known heading (in English, Spanish, Portuguese, French or German),
optionally numbered, capitalised or followed by a colon. Bold is not needed,
and plain-text resumes have none.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field


class SectionKind(enum.StrEnum):
    HEADER = "header"
    SUMMARY = "summary"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    SKILLS = "skills"
    CERTIFICATIONS = "certifications"
    LANGUAGES = "languages"
    PROJECTS = "projects"
    AWARDS = "awards"
    INTERESTS = "interests"
    REFERENCES = "references"
    CONTACT = "contact"
    OTHER = "other"


_HEADINGS: dict[SectionKind, list[str]] = {
    SectionKind.SUMMARY: [
        "summary", "professional summary", "career summary", "executive summary", "profile",
        "professional profile", "personal profile", "career profile", "objective", "career objective",
        "professional objective", "objectives", "about me", "about", "overview", "introduction",
        "resumen", "resumen profesional", "perfil", "perfil profesional", "objetivo", "objetivo profesional",
        "sobre mi", "acerca de mi", "resumo", "resumo profissional", "perfil profissional",
        "objetivo profissional", "sobre mim", "profil", "profil professionnel", "a propos", "a propos de moi",
        "objectif", "synthese", "zusammenfassung", "kurzprofil", "uber mich", "berufsziel",
    ],
    SectionKind.EXPERIENCE: [
        "experience", "work experience", "professional experience", "employment", "employment history",
        "work history", "career history", "professional background", "relevant experience",
        "experience details", "professional history", "working experience", "internships", "internship",
        "experiencia", "experiencia laboral", "experiencia profesional", "historial laboral",
        "trayectoria profesional", "experiencia de trabajo", "experiencia", "experiencia profissional",
        "historico profissional", "experiencias", "experience professionnelle", "experiences professionnelles",
        "parcours professionnel", "berufserfahrung", "beruflicher werdegang", "praktische erfahrung",
        "werdegang", "erfahrung", "career experience", "job history", "employment record", "professional career",
        "work experience details", "experience summary", "career", "positions held",
        "academic career", "academic positions", "academic appointments", "professional appointments",
        "appointments", "research experience", "academic experience", "positions", "employment experience",
    ],
    SectionKind.EDUCATION: [
        "education", "academic background", "academic qualifications", "educational qualifications",
        "educational background", "academics", "academic profile", "qualifications", "education and training",
        "education & training", "academic details", "scholastic profile", "studies",
        "educacion", "formacion", "formacion academica", "estudios", "educacao", "formacao",
        "formacao academica", "escolaridade", "formation", "etudes", "diplomes", "ausbildung", "bildung",
        "studium", "schulbildung", "akademischer werdegang",
    ],
    SectionKind.SKILLS: [
        "skills", "technical skills", "key skills", "core skills", "skill set", "skillset", "skill highlights",
        "core competencies", "competencies", "key competencies", "areas of expertise", "expertise",
        "technologies", "technical proficiencies", "it skills", "computer skills", "tools", "highlights",
        "professional skills", "technical expertise", "strengths", "additional skills",
        "habilidades", "competencias", "conocimientos", "aptitudes", "habilidades tecnicas",
        "conocimientos tecnicos", "competencias tecnicas", "competencias", "conhecimentos", "habilidades",
        "competences", "competences techniques", "connaissances", "fahigkeiten", "kenntnisse",
        "kompetenzen", "it kenntnisse", "edv kenntnisse",
    ],
    SectionKind.CERTIFICATIONS: [
        "certifications", "certification", "certificates", "licenses", "licenses and certifications",
        "certificaciones", "certificados", "certificacoes", "certifications professionnelles", "zertifikate",
    ],
    SectionKind.LANGUAGES: ["languages", "idiomas", "lenguas", "langues", "sprachen", "sprachkenntnisse"],
    SectionKind.PROJECTS: ["projects", "personal projects", "key projects", "proyectos", "projetos", "projets", "projekte"],
    SectionKind.AWARDS: [
        "awards", "honors", "honours", "achievements", "accomplishments", "awards and honors",
        "premios", "logros", "premios e reconhecimentos", "distinctions", "auszeichnungen",
    ],
    SectionKind.INTERESTS: ["interests", "hobbies", "intereses", "interesses", "centres d interet", "interessen", "hobbys"],
    SectionKind.REFERENCES: ["references", "referencias", "referencias", "references professionnelles", "referenzen"],
    SectionKind.CONTACT: [
        "contact", "contact information", "contact details", "personal details", "personal information",
        "contacto", "datos personales", "contato", "dados pessoais", "coordonnees", "kontakt",
        "personliche daten",
    ],
    SectionKind.OTHER: ["additional information", "other information", "activities", "volunteer", "publications"],
}  # fmt: skip

_LOOKUP = {phrase: kind for kind, phrases in _HEADINGS.items() for phrase in phrases}
_NUMBERING = re.compile(r"^(?:[0-9]+[.)]|[ivx]+[.)]|[-*•▪●■◆►»#|]+)\s*", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: 'Expérience:' -> 'experience'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("&", " and ").replace("’", " ").replace("'", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def heading_kind(line: str) -> SectionKind | None:  # noqa: PLR0911
    """The section a line opens, if it is a heading."""
    stripped = _NUMBERING.sub("", line.strip()).strip()
    if not stripped or len(stripped) > 60 or stripped.count(" ") > 5:
        return None
    if stripped.endswith((".", ",")) and not stripped.isupper():
        return None
    folded = _fold(stripped)
    kind = _LOOKUP.get(folded)
    if kind is not None:
        return kind
    # "Career Experience/Job History", "Education & Certifications": each part a heading
    parts = [_fold(part) for part in re.split(r"\s*[/&|]\s*|\s+and\s+", stripped) if part.strip()]
    kinds = {_LOOKUP.get(part) for part in parts}
    if len(parts) > 1 and None not in kinds:
        return next(k for k in (_LOOKUP.get(part) for part in parts) if k is not None)
    # "Tenure-line Academic Positions", "Adjunct Academic Appointments": the last word says
    words = stripped.split()
    title_case = len(words) <= 4 and all(w[:1].isupper() for w in words if w[:1].isalpha())
    if title_case and not stripped.isupper() and folded and folded.split()[-1] in _PLURAL_JOBS:
        return SectionKind.EXPERIENCE
    # "SKILLS & TOOLS", "Work Experience (Selected)": a known heading plus a little more,
    # accepted only when it is written like a heading (capitals, or a trailing colon).
    if stripped.isupper() or stripped.endswith(":"):
        words = folded.split()
        for n in range(min(4, len(words)), 0, -1):
            kind = _LOOKUP.get(" ".join(words[:n]))
            if kind is not None:
                return kind
        # "CLASSROOM EXPERIENCE", "HIGHER EDUCATION EXPERIENCE", "SPECIAL SKILLS": the last word says
        if words and len(words) <= 4 and words[-1] in _LAST_WORD:
            return _LAST_WORD[words[-1]]
    return None


_LAST_WORD = {
    "experience": SectionKind.EXPERIENCE, "experiences": SectionKind.EXPERIENCE,
    "employment": SectionKind.EXPERIENCE, "history": SectionKind.EXPERIENCE, "teaching": SectionKind.EXPERIENCE,
    "positions": SectionKind.EXPERIENCE, "internships": SectionKind.EXPERIENCE,
    "skills": SectionKind.SKILLS, "competencies": SectionKind.SKILLS, "awards": SectionKind.AWARDS,
    "honors": SectionKind.AWARDS, "honours": SectionKind.AWARDS, "certifications": SectionKind.CERTIFICATIONS,
    "projects": SectionKind.PROJECTS, "associations": SectionKind.OTHER, "organizations": SectionKind.OTHER,
    "memberships": SectionKind.OTHER, "activities": SectionKind.OTHER, "affiliations": SectionKind.OTHER,
    "involvement": SectionKind.OTHER, "leadership": SectionKind.OTHER, "publications": SectionKind.OTHER,
}  # fmt: skip


# Last words that, in a title-case line, head a section of jobs; "Experience" and "Teaching"
# alone end job lines too ("Customer Service Experience" is rare, "Student Teaching" is not).
_PLURAL_JOBS = {"positions", "appointments", "experiences", "internships"}


@dataclass
class Section:
    kind: SectionKind
    heading: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_sections(text: str) -> list[Section]:
    sections = [Section(SectionKind.HEADER, "")]
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            sections[-1].lines.append("")
            continue
        kind = heading_kind(line)
        if kind is not None:
            sections.append(Section(kind, line.rstrip(":").strip()))
            continue
        glued = _glued_heading(line)
        if glued is not None:  # "Work Experience Carnegie Mellon University": the heading, then a line
            sections.append(Section(glued[0], glued[1], [glued[2]]))
            continue
        head, colon, rest = line.partition(":")
        if colon and rest.strip():
            kind = heading_kind(head)  # "Skills: Python, SQL": heading and content on one line
            if kind is not None:
                sections.append(Section(kind, head.strip(), [rest.strip()]))
                continue
        sections[-1].lines.append(line)
    return sections


def _glued_heading(line: str) -> tuple[SectionKind, str, str] | None:
    """A heading of two or three capitalised words that a PDF ran into the next line's text,
    which starts with a capital: "Work Experience Carnegie Mellon University"."""
    words = line.split()
    for n in (3, 2):
        if len(words) <= n or not words[n][:1].isupper():
            continue
        if not all(w[:1].isupper() for w in words[:n]):
            continue
        kind = _LOOKUP.get(_fold(" ".join(words[:n])))
        if kind in (SectionKind.EXPERIENCE, SectionKind.EDUCATION):
            return kind, " ".join(words[:n]), " ".join(words[n:])
    return None


def of_kind(sections: list[Section], kind: SectionKind) -> list[Section]:
    return [s for s in sections if s.kind is kind]
