"""Review R3 (Case Review threshold rules and diary entries): each test failed before its fix."""

import pytest

from casereview.models import RuleKind, ThresholdRule
from casereview.services.rules import threshold_rule_save

pytestmark = pytest.mark.django_db


def test_adding_a_rule_that_exists_keeps_the_managers_diary_setting(manager_user):
    """A council that counts only reports made to it adds the rule it has with "diary entries count" unticked: the
    setting must take, not be dropped because the rule's numbers are the same (the rules page would then say diary
    entries count while the manager was told the rule was saved as asked)."""
    existing = ThresholdRule.objects.get(kind=RuleKind.ONE_PERSON, min_reports=3, window_months=6)
    assert existing.counts_diary_entries
    rule = threshold_rule_save(actor=manager_user, kind=RuleKind.ONE_PERSON, min_reports=3, window_months=6,
                               counts_diary_entries=False)
    assert rule.pk == existing.pk
    existing.refresh_from_db()
    assert existing.counts_diary_entries is False and existing.updated_by == manager_user
    # Posted twice: still one rule, the same setting.
    threshold_rule_save(actor=manager_user, kind=RuleKind.ONE_PERSON, min_reports=3, window_months=6,
                        counts_diary_entries=False)
    assert ThresholdRule.objects.filter(kind=RuleKind.ONE_PERSON, min_reports=3, window_months=6).count() == 1
    existing.refresh_from_db()
    assert existing.counts_diary_entries is False
