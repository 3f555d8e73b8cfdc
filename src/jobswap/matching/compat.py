"""Salary bands and the compatibility score between two people's jobs.

Salary band format (documented for users):
- a currency code and a range, amounts with an optional k/m suffix, per year by
  default: "USD 80k-100k", "EUR 45,000 - 55,000", "GBP 30k", "80k-95k USD";
- a period suffix changes the unit: "/h" or "/hour" (x 2080), "/mo" or "/month" (x 12);
- or a band code of the employer's scale: "BAND L3", "Grade 7" (compatible only with the same code).
Bands in different currencies are not compared (no exchange rates offline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SENIORITY_ORDER = ["intern", "entry", "mid", "senior", "lead", "executive"]
_AMOUNT = r"(\d[\d,.\s]*?)\s*([km])?"
_BAND = re.compile(
    rf"^\s*(?:(?P<cur1>[A-Z]{{3}})\s*)?{_AMOUNT}\s*(?:-|–|to)\s*{_AMOUNT}\s*(?P<cur2>[A-Z]{{3}})?\s*"
    rf"(?:/\s*(?P<period>h|hr|hour|mo|month|y|yr|year))?\s*$",
    re.IGNORECASE,
)
_SINGLE = re.compile(
    rf"^\s*(?:(?P<cur1>[A-Z]{{3}})\s*)?{_AMOUNT}\s*(?P<cur2>[A-Z]{{3}})?\s*(?:/\s*(?P<period>h|hr|hour|mo|month|y|yr|year))?\s*$",
    re.IGNORECASE,
)
_CODE = re.compile(r"^\s*(?:band|grade|level|scale)\s+([A-Z0-9.\-]{1,10})\s*$", re.IGNORECASE)
_PERIOD = {"h": 2080, "hr": 2080, "hour": 2080, "mo": 12, "month": 12, "y": 1, "yr": 1, "year": 1}


@dataclass(frozen=True, slots=True)
class SalaryBand:
    currency: str | None
    minimum: float | None  # per year
    maximum: float | None
    code: str | None = None


class SalaryBandError(ValueError):
    pass


def _amount(number: str, suffix: str | None) -> float:
    digits = number.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # "45.000": dots as thousands separators
        digits = digits.replace(".", "")
    digits = digits.replace(",", "")
    value = float(digits)
    return value * {"k": 1_000, "m": 1_000_000}.get((suffix or "").lower(), 1)


def parse_band(text: str) -> SalaryBand:
    code = _CODE.match(text)
    if code:
        return SalaryBand(None, None, None, code.group(1).upper())
    match = _BAND.match(text)
    if match:
        low = _amount(match.group(2), match.group(3))
        high = _amount(match.group(4), match.group(5))
        cur = match.group("cur1") or match.group("cur2")
    else:
        match = _SINGLE.match(text)
        if not match:
            raise SalaryBandError(
                f"not a salary band: {text!r}; write e.g. 'USD 80k-100k', 'EUR 45,000/month' or 'Band L3'"
            )
        low = high = _amount(match.group(2), match.group(3))
        cur = match.group("cur1") or match.group("cur2")
    # "80-100k": a suffix written once applies to both ends
    if match.groups()[2] is None and len(match.groups()) > 4 and match.group(5) and low < high / 100:
        low *= {"k": 1_000, "m": 1_000_000}[match.group(5).lower()]
    factor = _PERIOD.get((match.group("period") or "y").lower(), 1)
    low, high = low * factor, high * factor
    if low > high:
        low, high = high, low
    return SalaryBand(cur.upper() if cur else None, low, high)


def salary_overlap(a: SalaryBand | None, b: SalaryBand | None, tolerance: float) -> float | None:
    """1 for overlapping bands, falling to 0 as the gap reaches `tolerance` of the higher band;
    None when either is unknown or they cannot be compared."""
    if a is None or b is None:
        return None
    if a.code or b.code:
        return 1.0 if a.code == b.code and a.code is not None else None
    if a.currency and b.currency and a.currency != b.currency:
        return None
    if a.minimum is None or a.maximum is None or b.minimum is None or b.maximum is None:
        return None
    gap = max(b.minimum - a.maximum, a.minimum - b.maximum)
    if gap <= 0:
        return 1.0
    scale = max(a.maximum, b.maximum) * tolerance
    return max(0.0, 1 - gap / scale) if scale > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Compatibility:
    score: int  # 0-100
    role: float
    skills: float | None
    seniority: float
    salary: float | None
    resume: float | None = None


WEIGHTS = {"role": 35, "skills": 15, "resume": 10, "seniority": 20, "salary": 20}


def compatibility(
    role: float,
    skills_a: list[str],
    skills_b: list[str],
    seniority_a: str | None,
    seniority_b: str | None,
    salary: float | None,
    resume: float | None = None,
) -> Compatibility:
    """Weighted parts (role 35, skills 15, resume similarity 10, seniority 20, salary 20);
    an unknown part counts half."""
    a, b = {s.casefold() for s in skills_a}, {s.casefold() for s in skills_b}
    skills = len(a & b) / len(a | b) if a and b else None
    rank_a = SENIORITY_ORDER.index(seniority_a or "mid")
    rank_b = SENIORITY_ORDER.index(seniority_b or "mid")
    seniority = {0: 1.0, 1: 0.5}.get(abs(rank_a - rank_b), 0.0)
    total = (
        WEIGHTS["role"] * role
        + WEIGHTS["skills"] * (0.5 if skills is None else skills)
        + WEIGHTS["seniority"] * seniority
        + WEIGHTS["salary"] * (0.5 if salary is None else salary)
        + WEIGHTS["resume"] * (0.5 if resume is None else resume)
    )
    return Compatibility(round(total), role, skills, seniority, salary, resume)
