"""Load demo users and cases. Idempotent: running it again changes nothing."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases.models import Category, Channel, PartyRole
from cases.roles import GROUP_NAMES, Role
from cases.services import ReportSubmission, report_submit

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    # username, first, last, role (None = superuser)
    ("callcentre", "Priya", "Shah", Role.CALL_CENTRE),
    ("officer", "Tom", "Okafor", Role.OFFICER),
    ("officer2", "Jess", "Byrne", Role.OFFICER),
    ("manager", "Alison", "Grant", Role.MANAGER),
    ("admin", "Site", "Admin", None),
]
NAMESPACE = uuid.UUID("6b2f0f5e-9c1d-4d36-9e7a-0d3c4b9a1e01")


class Command(BaseCommand):
    help = "Create demo staff accounts and a few demo cases (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        for username, first, last, role in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com", "is_staff": role is None, "is_superuser": role is None},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role is not None:
                    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
            users[username] = user

        now = timezone.now()
        noise = Category.objects.get(slug="noise")
        harassment = Category.objects.get(slug="intimidation-or-harassment")
        demo = [
            (
                "demo-1",
                Channel.ONLINE,
                None,
                now - timedelta(days=1),
                ReportSubmission(
                    category=noise,
                    description="Very loud music from the flat above every night until 3am.",
                    impact="I cannot sleep and I am late for work.",
                    reporter_role=PartyRole.VICTIM,
                    address="14 Bell Street, Wigston",
                    postcode="LE18 1AA",
                    is_ongoing=True,
                    incident_date=(now - timedelta(days=14)).date(),
                    frequency="daily",
                    perpetrator_known="named",
                    perpetrator_name="Flat 3 occupant",
                    full_name="Margaret Ellis",
                    email="margaret.ellis@example.com",
                    phone="07700 900123",
                    reporter_address="14 Bell Street, Wigston",
                    reporter_postcode="LE18 1AA",
                    customer_group="council_tenant",
                    preferred_contact_method="email",
                    best_times="Evening (5pm to 8pm)",
                    consent_to_share=True,
                ),
            ),
            (
                "demo-2",
                Channel.PHONE,
                users["callcentre"],
                now - timedelta(hours=3),
                ReportSubmission(
                    category=harassment,
                    description="Group of teenagers shouting abuse at the caller's son on the way home from school.",
                    reporter_role=PartyRole.REPORTER,
                    on_behalf_of="Daniel Osei",
                    location_description="Blaby Road park, by the play area",
                    postcode="LE18 4PA",
                    incident_date=now.date(),
                    perpetrator_known="described",
                    perpetrator_description="Four or five teenagers, one on a red bike",
                    hate_motivated="yes",
                    hate_characteristics=["race"],
                    full_name="Grace Osei",
                    phone="0116 496 0123",
                    customer_group="private_tenant",
                    preferred_contact_method="phone",
                    best_times="Afternoon (12pm to 5pm)",
                    consent_to_share=True,
                ),
            ),
            (
                "demo-3",
                Channel.ONLINE,
                None,
                now - timedelta(days=2),
                ReportSubmission(
                    category=Category.objects.get(slug="littering-or-fly-tipping"),
                    description="Mattresses and bags of rubbish dumped in the alley again.",
                    reporter_role=PartyRole.WITNESS,
                    location_description="Alley behind the shops on Leicester Road",
                    postcode="LE2 5BA",
                    incident_date=(now - timedelta(days=2)).date(),
                    is_anonymous=True,
                ),
            ),
        ]
        created = 0
        for key, channel, logged_by, received_at, data in demo:
            submission_key = uuid.uuid5(NAMESPACE, key)
            report = report_submit(
                data=data, channel=channel, submission_key=submission_key, logged_by=logged_by, received_at=received_at
            )
            created += report.created_at >= now
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(users)} staff accounts, {created} new demo reports."))
