"""Merge people recorded twice on the same case (by the rule intake uses) and print each merge."""

from django.core.management.base import BaseCommand

from cases.services.matching import parties_dedupe


class Command(BaseCommand):
    help = (
        "Merge the records of one person entered twice on a case (same name with the same phone, email or "
        "address; same perpetrator; same description). Safe to run again: a second run finds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be merged and change nothing.")

    def handle(self, *args, dry_run=False, **options):
        merges = parties_dedupe(dry_run=dry_run)
        for merge in merges:
            self.stdout.write(str(merge))
        self.stdout.write(f"{len(merges)} duplicate {'record' if len(merges) == 1 else 'records'} "
                          f"{'would be ' if dry_run else ''}merged")
