"""Demo data for a fresh install: users, hand-written cases in every state, and a year of history.

Its own app because it writes case files and survey answers alike: it sits above `cases` and `surveys`
(DESIGN.md: dependencies point one way), so neither of them imports it.
"""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
