"""Real job titles to O*NET occupations: every example of issue 10 on its exact string."""

from __future__ import annotations

import pytest

from jobswap.occupations.reading import read
from jobswap.occupations.titles import CONFIDENT, title_index


@pytest.mark.parametrize(
    ("title", "code"),
    [
        # The examples: no occupation, or a wrong one, before.
        ("Desenvolvedor Python", "15-1252.00"),
        ("Engenheiro de Dados", "15-1243.00"),
        ("Software Engineer, Python (LATM - Remote)", "15-1252.00"),
        ("Mid level Golang Developer, Brazil", "15-1252.00"),
        ("[Ambev Global Tech] Data Scientist", "15-2051.00"),
        ("Analytics Engineer", "15-1243.00"),
        ("Especialista de BI", "15-2051.01"),
        # Noise of each market: gender markers, levels, places, work modes, pipes and brackets.
        (
            "Desenvolvedor(a) Backend Sênior Python - Tribo Comercial ( Remoto) (347443) - REMOTE",
            "15-1252.00",
        ),
        ("Pessoa Engenheira de Dados [Especialista AZURE]", "15-1243.00"),
        ("CAS - Engenheiro de Dados - Foco em Crédito", "15-1243.00"),
        ("Senior Backend Software Engineer | Service Channels", "15-1252.00"),
        ("Softwareentwickler (m/w/d) - Remote", "15-1252.00"),
        ("Frontend-Entwicklerin React", "15-1254.00"),
        ("Pflegefachkraft (m/w/d) Nachtdienst", "29-1141.00"),
        ("Ingénieur Data (H/F)", "15-1243.00"),
        ("Chef de projet informatique", "15-1299.09"),
        ("Infirmier / Infirmière", "29-1141.00"),
        ("Ingeniero/a de Software - Remoto", "15-1252.00"),
        ("Técnico de Soporte Informático", "15-1232.00"),
        ("Enfermera Registrada - Turno de Noche", "29-1141.00"),
        # Abbreviations read in context: "Tech" is a technician at the end of a title only.
        ("Pharmacy Tech", "29-2052.00"),
        ("Vet Tech", "29-2056.00"),
        ("Tech Lead", "15-1252.00"),
        # English words that are also other languages' words stay English.
        ("Personal Injury Attorney", "23-1011.00"),
    ],
)
def test_real_titles_map_to_their_occupation(title: str, code: str) -> None:
    match = title_index().match(title)
    assert match is not None and match.code == code, match
    assert match.confident


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Engenheiro de Dados Pleno", "mid"),
        ("Desenvolvedor Front-End JR", "entry"),
        ("Sr. Data Engineer", "senior"),
        ("Estágio em Desenvolvimento Java (343008) - REMOTE", "intern"),
        ("Werkstudent Softwareentwicklung (m/w/d)", "intern"),
        ("Mid level Golang Developer, Brazil", "mid"),
        ("Head of Sales", "lead"),
    ],
)
def test_levels_are_read_and_kept_out_of_the_occupation(title: str, level: str) -> None:
    match = title_index().match(title)
    assert match is not None and match.seniority == level


def test_readings_translate_into_english_order() -> None:
    systems = read("ENGENHEIRO DE DESENVOLVIMENTO DE SISTEMAS")
    assert systems.readings[0].text == "systems development engineer"
    assert read("Ingeniero Civil").readings[0].text == "civil engineer"
    assert read("Datenbankadministrator (m/w/d)").readings[0].text == "database administrator"
    parts = read("Desenvolvedor(a) Front-End | React")
    assert parts.language == "pt" and parts.readings[0].text == "front end developer"


def test_an_unsure_title_comes_with_candidates_and_nonsense_with_none() -> None:
    index = title_index()
    reading = index.reading("Patient care giver")
    assert reading.best is not None and reading.best.score < CONFIDENT
    columns = reading.columns()
    assert columns["occupation_code"] is None and columns["swap_family"] is None
    assert len(columns["occupation_candidates"]) == 3
    assert index.candidates("asdf qwerty zxcv") == []
    assert index.match("") is None


@pytest.mark.parametrize(
    "title",
    [
        "x" + "entwickler" * 19,
        "(" * 200,
        "[a" * 100,
        "m/w/d " * 33,
        "Desenvolvedor de " * 11,
        "ß" * 200,
        "—|—|" * 50,
    ],
)
def test_hostile_titles_read_to_nothing_or_a_guess(title: str) -> None:
    found = title_index().candidates(title[:200], limit=3)
    assert len(found) <= 3 and all(0 <= m.score <= 1 for m in found)
