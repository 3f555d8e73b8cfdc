"""Title normalisation to O*NET, role equivalence, salary bands and the compatibility score."""

from __future__ import annotations

import pytest

from jobswap.matching.compat import SalaryBandError, compatibility, parse_band, salary_overlap
from jobswap.occupations.titles import title_index


@pytest.mark.parametrize(
    ("title", "code", "method", "seniority"),
    [
        ("Software Developer", "15-1252.00", "exact", None),
        ("Sr. Software Engineer", "15-1252.00", "exact", "senior"),
        ("software dev", "15-1252.00", "exact", None),
        ("RN", "29-1141.00", "exact", None),
        ("Senior Accountant", "13-2011.00", "exact", "senior"),
        ("Lead Accountant", "13-2011.00", "without_seniority", "lead"),
        ("Registered Nurse ICU", "29-1141.03", "fuzzy", None),
        ("Head of Marketing", "11-2021.00", None, "lead"),
    ],
)
def test_titles_map_to_onet(title: str, code: str, method: str | None, seniority: str | None) -> None:
    match = title_index().match(title)
    assert match is not None and match.code == code, match
    if method:
        assert match.method == method
    assert match.seniority == seniority
    assert 0 < match.score <= 1


def test_unknown_titles_give_no_match() -> None:
    assert title_index().match("asdf qwerty zxcv") is None
    assert title_index().match("") is None


def test_equivalence_and_families() -> None:
    ix = title_index()
    assert ix.equivalence("15-1252.00", "15-1252.00") == 1.0
    assert ix.equivalence("15-1252.00", "15-1253.00") == 0.8  # related, same job zone
    assert ix.equivalence("15-1252.00", "29-1141.00") == 0.0
    assert ix.family("15-1252.00") == ix.family("15-1253.00") == "15-1250/4"


def test_equivalence_is_symmetric_so_the_workflow_agrees_with_the_engine() -> None:
    """O*NET lists tellers -> customer service as Primary-Short but the reverse as Supplemental;
    the engine paired them, and the workflow refused the pair one way round (the demo found it)."""
    from jobswap.matching.commute import CommuteMode
    from jobswap.swaps import qualify

    ix = title_index()
    teller, service = "43-3071.00", "43-4041.00"
    assert ix.equivalence(teller, service) == ix.equivalence(service, teller) == 0.8
    assert service in ix.equivalents(teller, 0.6) and teller in ix.equivalents(service, 0.6)
    north, south = (42.04, -87.69), (41.79, -88.15)
    people = [
        qualify.Person(
            home=north,
            work=south,
            mode=CommuteMode.CAR,
            occupation_code=teller,
            swap_family=ix.family(teller),
        ),
        qualify.Person(
            home=south,
            work=north,
            mode=CommuteMode.CAR,
            occupation_code=service,
            swap_family=ix.family(service),
        ),
    ]
    for ring in (people, people[::-1]):
        assert (
            qualify.why_not(
                ring, min_minutes=10, min_fraction=0.15, min_equivalence=0.6, equivalence=ix.equivalence
            )
            is None
        )


@pytest.mark.parametrize(
    ("text", "currency", "low", "high"),
    [
        ("USD 80k-100k", "USD", 80_000, 100_000),
        ("EUR 45,000 - 55,000", "EUR", 45_000, 55_000),
        ("80k-95k USD", "USD", 80_000, 95_000),
        ("80-100k USD", "USD", 80_000, 100_000),
        ("GBP 30k", "GBP", 30_000, 30_000),
        ("USD 25/h", "USD", 52_000, 52_000),
        ("EUR 3.000-4.000/month", "EUR", 36_000, 48_000),
    ],
)
def test_salary_bands(text: str, currency: str, low: float, high: float) -> None:
    band = parse_band(text)
    assert (band.currency, band.minimum, band.maximum) == (currency, low, high)


def test_band_codes_and_errors() -> None:
    assert parse_band("Band L3").code == "L3"
    assert salary_overlap(parse_band("Band L3"), parse_band("band l3"), 0.1) == 1.0
    with pytest.raises(SalaryBandError, match="not a salary band"):
        parse_band("lots of money")


def test_salary_overlap_with_tolerance() -> None:
    a = parse_band("USD 80k-100k")
    assert salary_overlap(a, parse_band("USD 95k-120k"), 0.1) == 1.0
    assert salary_overlap(a, parse_band("USD 105k-120k"), 0.1) == pytest.approx(1 - 5_000 / 12_000)
    assert salary_overlap(a, parse_band("USD 200k-250k"), 0.1) == 0.0
    assert salary_overlap(a, parse_band("EUR 80k-100k"), 0.1) is None
    assert salary_overlap(a, None, 0.1) is None


def test_compatibility_parts() -> None:
    full = compatibility(1.0, ["Python", "SQL"], ["python", "sql"], "senior", "senior", 1.0, resume=1.0)
    assert full.score == 100 and full.skills == 1.0
    partial = compatibility(0.8, ["Python"], ["Java"], "senior", "mid", None)
    assert partial.score == round(35 * 0.8 + 0 + 10 * 0.5 + 20 * 0.5 + 20 * 0.5)
    assert partial.salary is None and partial.seniority == 0.5 and partial.resume is None


def test_titles_nobody_lists_are_guesses_with_candidates() -> None:
    match = title_index().match("Patient care giver")
    assert match is not None and not match.confident
    options = {m.code for m in title_index().candidates("Patient care giver", 5)}
    assert {"31-1121.00", "31-1131.00"} & options  # home health aides, nursing assistants
