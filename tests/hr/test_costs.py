"""The cost model's arithmetic, term by term, on numbers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobswap.config import Settings
from jobswap.hr.costs import Position, Traveller, assumptions, estimate
from tests.conftest import make_settings


@pytest.fixture
def model_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def test_terms_follow_their_formulas(model_settings: Settings) -> None:
    # One job: the holder commuted 60 minutes each way, the newcomer commutes 20; salary 80,000.
    result = estimate(model_settings, [Position(60, 20, 80_000)], newcomers=1, travellers=[])
    terms = {t["name"]: t["value"] for t in result["employer"]["terms"]}
    hours = 40 * 2 * 230 / 60
    assert terms["commute_hours_saved_per_year"] == pytest.approx(hours, abs=0.1)
    assert terms["employer_share_of_time_value"] == pytest.approx(hours * 80_000 / 2080 * 0.5 * 0.1, abs=0.01)
    share = 40 / 60
    assert terms["turnover_cost_reduction"] == pytest.approx(80_000 * 0.11 * 0.2 * share * 0.21, abs=0.01)
    assert terms["absence_cost_reduction"] == pytest.approx(80_000 * 0.03 * 0.08 * share, abs=0.01)
    employer = result["employer"]
    assert employer["annual_saving"] == pytest.approx(
        terms["employer_share_of_time_value"]
        + terms["turnover_cost_reduction"]
        + terms["absence_cost_reduction"],
        abs=0.02,
    )
    assert employer["annual_saving_low"] < employer["annual_saving"] < employer["annual_saving_high"]
    assert employer["one_off_cost"] == pytest.approx(4129 * 0.5)
    assert employer["payback_months"] == pytest.approx(
        12 * employer["one_off_cost"] / employer["annual_saving"], abs=0.1
    )


def test_employees_gains_are_reported_apart(model_settings: Settings) -> None:
    traveller = Traveller(
        before_minutes=50, after_minutes=20, before_km=30, after_km=10, by_car=True, salary=None
    )
    result = estimate(model_settings, [Position(50, 25, None)], 1, [traveller])
    gains = result["employees"]
    assert gains["hours_saved_per_year"] == pytest.approx(30 * 2 * 230 / 60, abs=0.1)
    assert gains["vehicle_cost_saved"] == pytest.approx(20 * 2 * 230 * 0.13, abs=0.01)
    assert gains["time_value"] == pytest.approx(230 * 60_000 / 2080 * 0.5, abs=0.01)  # the default salary
    assert result["positions"][0] == {
        "before_minutes": 50,
        "after_minutes": 25,
        "salary": 60_000.0,
        "salary_from_band": False,
    }
    # never summed into the employer's figure
    alone = estimate(model_settings, [Position(50, 25, None)], 1, [])
    assert alone["employer"] == result["employer"]


def test_a_longer_commute_for_the_job_shows_as_a_cost(model_settings: Settings) -> None:
    result = estimate(model_settings, [Position(20, 35, 50_000)], 1, [])
    assert result["employer"]["annual_saving"] < 0 and result["employer"]["payback_months"] is None


def test_every_assumption_is_a_documented_setting(model_settings: Settings) -> None:
    table = assumptions(model_settings)
    doc = (Path(__file__).parents[2] / "docs" / "cost-model.md").read_text()
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    for item in table.values():
        assert item.low <= item.value <= item.high, item
        assert item.source and item.setting in doc and item.setting in example, item.setting
        assert hasattr(model_settings, f"hr_{item.key}")
