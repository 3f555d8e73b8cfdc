"""The estimated cost saving of a swap for one employer: a transparent sum, not a score.

Every input is an assumption with a value, a low-high range and a source, and every term of
the sum is shown with its formula, so HR can check it and change the settings behind it.
The employer's saving and the employees' own gains (their time, their vehicle costs) are
reported apart and never added together. Sources are cited in docs/cost-model.md.

Per job of this employer that changes hands, with `b` and `a` the one-way commute minutes of
the job's holder before and after the swap, and `f = (b - a) / b` the share of the commute
saved (negative if the newcomer lives further away):
- commute hours saved a year: (b - a) * 2 * work days / 60;
- the employer's share of that time's value: hours * hourly wage * value of time * share;
- turnover: salary * voluntary quit rate * commute effect * f * replacement cost share;
- absence: salary * absence rate * absence elasticity * f.
One-off: each newcomer's onboarding, a share of a typical cost per hire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobswap.config import Settings

HOURS_PER_YEAR = 2080  # 52 weeks of 40 hours: the usual annual-to-hourly conversion


@dataclass(frozen=True, slots=True)
class Assumption:
    key: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    source: str

    @property
    def setting(self) -> str:
        return f"JOBSWAP_HR_{self.key.upper()}"


@dataclass(frozen=True, slots=True)
class Position:
    """One job of this employer in the swap: its holder's commute before, the newcomer's after."""

    before_minutes: float
    after_minutes: float
    salary: float | None  # annual, in the model's currency; None: the default is used


@dataclass(frozen=True, slots=True)
class Traveller:
    """One of this employer's own employees in the swap, for their personal gains."""

    before_minutes: float
    after_minutes: float
    before_km: float
    after_km: float
    by_car: bool
    salary: float | None


def assumptions(settings: Settings) -> dict[str, Assumption]:
    s = settings
    items = [
        Assumption(
            "work_days_per_year",
            "Commuting days a year",
            s.hr_work_days_per_year,
            210,
            240,
            "days",
            "JobSwap assumption: 52 five-day weeks less about 10 public holidays and 20 days of leave",
        ),
        Assumption(
            "value_of_time_share",
            "Value of commute time, as a share of the hourly wage",
            s.hr_value_of_time_share,
            0.35,
            0.6,
            "share of wage",
            "US DOT, Revised Departmental Guidance on Valuation of Travel Time (2016): local personal "
            "travel at 50% of the wage, range 35-60%",
        ),
        Assumption(
            "employer_time_share",
            "Employer's share of the value of commute time saved",
            s.hr_employer_time_share,
            0.0,
            0.2,
            "share",
            "JobSwap assumption (no published figure): fatigue and punctuality; 0 leaves the term out",
        ),
        Assumption(
            "voluntary_turnover_rate",
            "Voluntary turnover a year",
            s.hr_voluntary_turnover_rate,
            0.11,
            0.11,
            "share of staff",
            "SHRM Human Capital Benchmarking 2016: 19% annual turnover, of which 8% involuntary",
        ),
        Assumption(
            "turnover_commute_effect",
            "Fall in voluntary quits per unit share of commute saved",
            s.hr_turnover_commute_effect,
            0.0,
            0.5,
            "relative",
            "van Ommeren et al., Environment and Planning A 37(12), 2005 (limited effect: low); "
            "Lu, Shi, Sivadasan and Xu, Review of Economics and Statistics 106(1), 2024 (about 50% "
            "fewer quits after a subway opened, working paper: high)",
        ),
        Assumption(
            "replacement_cost_share",
            "Cost of replacing an employee, as a share of salary",
            s.hr_replacement_cost_share,
            0.16,
            0.5,
            "share of salary",
            "Boushey and Glynn, Center for American Progress (2012): median 21% over 27 case studies; "
            "Gallup: one-half to two times salary (high)",
        ),
        Assumption(
            "absence_rate",
            "Share of working time lost to absence",
            s.hr_absence_rate,
            0.02,
            0.04,
            "share",
            "JobSwap assumption near US survey absence rates of about 3% of usual hours",
        ),
        Assumption(
            "absence_commute_elasticity",
            "Elasticity of absence to commute length",
            s.hr_absence_commute_elasticity,
            0.07,
            0.09,
            "elasticity",
            "van Ommeren and Gutierrez-i-Puigarnau, Regional Science and Urban Economics (2011): 0.07-0.09",
        ),
        Assumption(
            "cost_per_hire",
            "Cost per hire",
            s.hr_cost_per_hire,
            s.hr_cost_per_hire,
            s.hr_cost_per_hire,
            s.hr_currency,
            "SHRM Human Capital Benchmarking 2016: $4,129 average cost per hire",
        ),
        Assumption(
            "swap_onboarding_share",
            "A swap's one-off cost per newcomer, as a share of cost per hire",
            s.hr_swap_onboarding_share,
            0.25,
            1.0,
            "share",
            "JobSwap assumption: no advertising or search, but paperwork and onboarding remain",
        ),
        Assumption(
            "vehicle_cost_per_km",
            "Vehicle running cost per km (employees' gain only)",
            s.hr_vehicle_cost_per_km,
            0.13,
            0.13,
            f"{s.hr_currency}/km",
            "IRS 2025 variable cost of about $0.21 a mile",
        ),
        Assumption(
            "default_salary",
            "Salary used when a band gives none",
            s.hr_default_salary,
            s.hr_default_salary,
            s.hr_default_salary,
            s.hr_currency,
            "JobSwap assumption",
        ),
    ]
    return {a.key: a for a in items}


def _terms(positions: list[Position], a: dict[str, float]) -> list[dict[str, Any]]:
    time_value = turnover = absence = hours = 0.0
    for p in positions:
        salary = p.salary if p.salary else a["default_salary"]
        saved = p.before_minutes - p.after_minutes
        share = saved / p.before_minutes if p.before_minutes > 0 else 0.0
        position_hours = saved * 2 * a["work_days_per_year"] / 60
        hours += position_hours
        time_value += (
            position_hours * salary / HOURS_PER_YEAR * a["value_of_time_share"] * a["employer_time_share"]
        )
        turnover += (
            salary
            * a["voluntary_turnover_rate"]
            * a["turnover_commute_effect"]
            * share
            * a["replacement_cost_share"]
        )
        absence += salary * a["absence_rate"] * a["absence_commute_elasticity"] * share
    return [
        {
            "name": "commute_hours_saved_per_year",
            "value": round(hours, 1),
            "unit": "hours",
            "formula": "(before - after minutes) x 2 x work days / 60, over this employer's jobs",
        },
        {
            "name": "employer_share_of_time_value",
            "value": round(time_value, 2),
            "formula": "hours x salary / 2080 x value of time share x employer time share",
        },
        {
            "name": "turnover_cost_reduction",
            "value": round(turnover, 2),
            "formula": (
                "salary x voluntary turnover x commute effect x share of commute saved x replacement cost"
            ),
        },
        {
            "name": "absence_cost_reduction",
            "value": round(absence, 2),
            "formula": "salary x absence rate x absence elasticity x share of commute saved",
        },
    ]


def _total(terms: list[dict[str, Any]]) -> float:
    return round(sum(float(t["value"]) for t in terms if t["name"] != "commute_hours_saved_per_year"), 2)


def estimate(
    settings: Settings, positions: list[Position], newcomers: int, travellers: list[Traveller]
) -> dict[str, Any]:
    """The employer's estimated annual saving with its terms, a low-high band, the one-off cost
    and payback; the employees' own gains beside it."""
    table = assumptions(settings)
    central = {k: v.value for k, v in table.items()}
    low = {k: v.low for k, v in table.items()}
    high = {k: v.high for k, v in table.items()}
    terms = _terms(positions, central)
    annual = _total(terms)
    one_off = round(newcomers * central["cost_per_hire"] * central["swap_onboarding_share"], 2)
    hours = sum(
        (t.before_minutes - t.after_minutes) * 2 * central["work_days_per_year"] / 60 for t in travellers
    )
    time_value = sum(
        (t.before_minutes - t.after_minutes)
        * 2
        * central["work_days_per_year"]
        / 60
        * (t.salary or central["default_salary"])
        / HOURS_PER_YEAR
        * central["value_of_time_share"]
        for t in travellers
    )
    vehicle = sum(
        (t.before_km - t.after_km) * 2 * central["work_days_per_year"] * central["vehicle_cost_per_km"]
        for t in travellers
        if t.by_car
    )
    return {
        "currency": settings.hr_currency,
        "employer": {
            "annual_saving": annual,
            "annual_saving_low": _total(_terms(positions, low)),
            "annual_saving_high": _total(_terms(positions, high)),
            "terms": terms,
            "one_off_cost": one_off,
            "one_off_formula": "newcomers x cost per hire x swap onboarding share",
            "payback_months": round(12 * one_off / annual, 1) if annual > 0 else None,
        },
        "employees": {
            "note": "The employees' own gains, not part of the employer's saving.",
            "hours_saved_per_year": round(hours, 1),
            "time_value": round(time_value, 2),
            "vehicle_cost_saved": round(vehicle, 2),
        },
        "positions": [
            {
                "before_minutes": p.before_minutes,
                "after_minutes": p.after_minutes,
                "salary": p.salary or central["default_salary"],
                "salary_from_band": p.salary is not None,
            }
            for p in positions
        ],
        "assumptions": [
            {
                "key": a.key,
                "label": a.label,
                "value": a.value,
                "low": a.low,
                "high": a.high,
                "unit": a.unit,
                "source": a.source,
                "setting": a.setting,
            }
            for a in table.values()
        ],
    }
