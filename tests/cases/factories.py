"""factory_boy factories for the case file."""

import uuid
from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case, Category, Channel, Party, PartyRole, Report
from cases.services import ReportSubmission, report_submit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.django.Password("correct-horse-battery-staple")


def category(slug="noise") -> Category:
    return Category.objects.get(slug=slug)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"ASB-2020-{n:05d}")
    category = factory.LazyFunction(category)
    address = "1 High Street, Oadby"
    postcode = "LE2 5AA"
    received_at = factory.LazyFunction(timezone.now)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    case = factory.SubFactory(CaseFactory)
    role = PartyRole.VICTIM
    full_name = factory.Faker("name", locale="en_GB")
    phone = "07700 900123"
    phone_normalised = "07700900123"
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    preferred_contact_method = "email"


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    case = factory.SubFactory(CaseFactory)
    channel = Channel.ONLINE
    received_at = factory.LazyFunction(timezone.now)
    reporter = factory.SubFactory(PartyFactory, case=factory.SelfAttribute("..case"))
    reporter_role = PartyRole.VICTIM
    category = factory.SelfAttribute("case.category")
    description = "Loud music every night"
    address = factory.SelfAttribute("case.address")
    postcode = factory.SelfAttribute("case.postcode")
    submission_key = factory.LazyFunction(uuid.uuid4)


def report_submission(**overrides) -> ReportSubmission:
    """A valid report from Margaret Ellis about noise at 14 Bell Street; override any answer."""
    values = dict(
        category=category("noise"),
        description="Music until 3am every night",
        reporter_role=PartyRole.VICTIM,
        address="14 Bell Street",
        postcode="le18 1aa",
        incident_date=date(2026, 11, 20),
        full_name="Margaret Ellis",
        email="Margaret@Example.com",
        phone="+44 7700 900123",
        customer_group="council_tenant",
        preferred_contact_method="email",
        consent_to_share=True,
    )
    values.update(overrides)
    return ReportSubmission(**values)


def submit_report(data=None, **kwargs) -> Report:
    """report_submit with defaults: online, a fresh submission key."""
    kwargs.setdefault("channel", Channel.ONLINE)
    kwargs.setdefault("submission_key", uuid.uuid4())
    return report_submit(data=data or report_submission(), **kwargs)
