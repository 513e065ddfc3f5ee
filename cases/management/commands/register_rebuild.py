"""Link people and places for records made before the register (or written in bulk): the backfill of migration 0019."""

from django.core.management.base import BaseCommand

from cases.services.register import register_rebuild


class Command(BaseCommand):
    help = (
        "Give every known party without a person its person on the register (strong matches across cases become one "
        "person) and every case with an address its place. Safe to run again: only unlinked records are touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Work out what would be linked and change nothing.")

    def handle(self, *args, dry_run=False, **options):
        self.stdout.write(str(register_rebuild(dry_run=dry_run)))
