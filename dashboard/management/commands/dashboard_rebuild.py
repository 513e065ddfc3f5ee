"""Rebuild the dashboard's monthly rows: missing and stale closed months, every closed month, or the ones named."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboard.services import closed_months, dashboard_refresh


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a month like 2026-03") from error


class Command(BaseCommand):
    help = "Build the dashboard's pre-aggregated months (default: the closed months that are missing or stale)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every closed month")
        parser.add_argument("--months", nargs="+", type=_month, help="rebuild these months (YYYY-MM)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["months"]:
            built = dashboard_refresh(months=options["months"], rebuild=True)
        elif options["all"]:
            built = dashboard_refresh(months=closed_months(), rebuild=True)
        else:
            built = dashboard_refresh()
        self.stdout.write(f"Built {len(built)} month(s) in {time.perf_counter() - started:.1f} s")
