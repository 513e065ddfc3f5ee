"""This council's Case Review threshold rules and timescales, as migration 0002 writes them; ensured again where the
rows may have gone (tests that truncate every table, a development database emptied by hand)."""

# Rules are added, and the defaults ensured, under this transaction-scoped lock: two posts of one form, or two
# processes ensuring the defaults at once, cannot both add them.
RULES_LOCK = 0x43525255  # "CRRU"

DEFAULT_RULES = [
    {"kind": "one_person", "min_reports": 3, "window_months": 6, "display_order": 10},
    {"kind": "different_people", "min_reports": 3, "window_months": 6, "display_order": 20},
    {"kind": "hate", "min_reports": 1, "window_months": 6, "display_order": 30},
]


def case_review_defaults_ensure() -> None:
    """The default rules when there are no rules at all (a manager's changes are never undone: deactivated rules
    stay rows), and the timescales row."""
    from django.db import connection, transaction

    from .models import ThresholdRule, Timescales

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RULES_LOCK])
        if not ThresholdRule.objects.exists():
            ThresholdRule.objects.bulk_create([ThresholdRule(**rule) for rule in DEFAULT_RULES])
        Timescales.objects.get_or_create(pk=1)
