"""factory_boy factories for the case file."""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case, Category, Channel, Party, PartyRole, Report


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
