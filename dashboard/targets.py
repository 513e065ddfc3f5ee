"""The service standard's targets as data: each headline figure's threshold and how a value is judged against it."""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from cases import sla
from cases.models import RiskLevel
from surveys import selectors as survey_selectors


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return {"met": "Met", "not_met": "Not met", "no_data": "No data yet"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"met": "govuk-tag--green", "not_met": "govuk-tag--red", "no_data": "govuk-tag--grey"}[self.value]


@dataclass(frozen=True)
class Target:
    label: str  # said beside the figure, e.g. "Target: 97% or more"
    threshold: float
    comparison: str  # "at_least" (a share: higher is better) or "at_most" (days: lower is better)

    def judge(self, value: float | Fraction | None) -> Verdict:
        if value is None:
            return Verdict.NO_DATA
        met = value >= self.threshold if self.comparison == "at_least" else value <= self.threshold
        return Verdict.MET if met else Verdict.NOT_MET


UPDATE_DAYS = sla.update_interval_days(RiskLevel.STANDARD)
HIGH_RISK_DAYS = sla.update_interval_days(RiskLevel.HIGH)

# The published standard: first contact within 3 working days and high-risk victims updated at least every 7 days
# are promises to every person, so anything under 100% misses them; other victims are updated "on average within
# 14 days", judged by the mean gap (the share of 14-day deadlines met has no target of its own); 97% satisfaction.
TARGETS: dict[str, Target] = {
    "first_contact": Target("Target: all, by the end of the 3rd working day", 100.0, "at_least"),
    "updates_high": Target(f"Target: all, at least every {HIGH_RISK_DAYS} days", 100.0, "at_least"),
    "mean_days_between_updates": Target(f"Target: {UPDATE_DAYS} days or fewer on average", float(UPDATE_DAYS), "at_most"),
    "satisfaction": Target(f"Target: {survey_selectors.TARGET:.0%} or more", round(survey_selectors.TARGET * 100, 6), "at_least"),
}


def judge(key: str, value: float | None) -> Verdict:
    return TARGETS[key].judge(value)


def judge_share(key: str, met: int, total: int) -> Verdict:
    """A share judged exactly, not as the rounded percentage shown: 2,499 of 2,500 is "100.0%" but not all."""
    return TARGETS[key].judge(Fraction(100 * met, total) if total else None)


def _rate(rate) -> Fraction | None:
    return Fraction(100 * rate.satisfied, rate.total) if rate and rate.total else None


def headline_verdicts(figures) -> dict[str, Verdict]:
    """Met, Not met or No data yet for each headline figure that has a target (reports received has none)."""
    return {
        "first_contact": judge_share("first_contact", figures.first_contact.met, figures.first_contact.total),
        "updates_high": judge_share("updates_high", figures.updates_high.met, figures.updates_high.total),
        "mean_days_between_updates": judge("mean_days_between_updates", figures.mean_days_between_updates),
        "satisfaction": TARGETS["satisfaction"].judge(_rate(figures.satisfaction)),
    }


def month_verdicts(row: dict) -> dict[str, Verdict]:
    """The same judgements for one month of the trends."""
    return {
        "first_contact": judge_share("first_contact", row["first_contact"].met, row["first_contact"].total),
        "updates_high": judge_share("updates_high", row["updates_high"].met, row["updates_high"].total),
        "mean_days_between_updates": judge("mean_days_between_updates", row["mean_days_between_updates"]),
        "satisfaction": TARGETS["satisfaction"].judge(_rate(row["satisfaction"])),
    }
