"""Run one deadline sweep now and print what it did (the beat job runs the same every 5 minutes)."""

from django.core.management.base import BaseCommand

from cases.services.sweep import deadlines_sweep


class Command(BaseCommand):
    help = "Run one deadline sweep: reminders, breach alerts, unassigned warnings. Safe to run at any time."

    def handle(self, *args, **options):
        self.stdout.write(str(deadlines_sweep()))
