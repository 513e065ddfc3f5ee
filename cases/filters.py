"""The case list's search and filters (django-filter)."""

import django_filters
import django_filters.fields
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Q

from .models import Case, CaseStatus, Category, Channel, Party, Report, RiskLevel
from .roles import GROUP_NAMES, Role
from .validators import normalise_phone, normalise_postcode

OPEN = "open_any"


def staff_officers():
    names = [GROUP_NAMES[Role.OFFICER], GROUP_NAMES[Role.MANAGER]]
    return get_user_model().objects.filter(groups__name__in=names, is_active=True).distinct().order_by("first_name", "last_name")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class _OfficerFilterField(django_filters.fields.ModelChoiceField):
    # django-filter's own field, which knows the "Unassigned" (null) choice.
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class OfficerFilter(django_filters.ModelChoiceFilter):
    field_class = _OfficerFilterField


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search",
        help_text="Reference, name, phone, email, address, postcode, or words from the description",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(OPEN, "Any open status"), *CaseStatus.choices], method="by_status", empty_label="Any status"
    )
    risk_level = django_filters.ChoiceFilter(label="Risk level", choices=RiskLevel.choices, empty_label="Any risk level")
    category = django_filters.ModelChoiceFilter(label="Category", queryset=Category.objects.all(), empty_label="Any category")
    officer = OfficerFilter(label="Officer", queryset=staff_officers(), method="by_officer", empty_label="Any officer", null_label="Unassigned")
    channel = django_filters.ChoiceFilter(label="Channel", choices=Channel.choices, method="by_channel", empty_label="Any channel")
    received_from = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label="Received to", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("received_at", "received"), ("reference", "reference"), ("status", "status"), ("risk_level", "risk"), ("officer__first_name", "officer")),
        field_labels={
            "received": "Oldest first", "-received": "Newest first", "reference": "Reference", "-reference": "Reference (descending)",
            "status": "Status", "-status": "Status (descending)", "risk": "Risk (standard first)", "-risk": "Risk (high first)",
            "officer": "Officer", "-officer": "Officer (descending)",
        },
        empty_label="Newest first",
    )

    def search(self, queryset, name, value):
        """Reference, name, phone, email, address or postcode, or words from the descriptions.

        One UNION of indexed branches (trigram indexes for "contains", B-tree for exact matches, the GIN
        full-text index for words), used as a subquery: an OR across tables would scan every case.
        """
        value = value.strip()
        if not value:
            return queryset
        postcode = normalise_postcode(value)
        direct = Case.objects.filter(
            Q(reference__icontains=value) | Q(address__icontains=value) | Q(location_description__icontains=value) | Q(postcode=postcode)
        ).values("id")
        people = Q(full_name__icontains=value) | Q(email=value.lower()) | Q(address__icontains=value) | Q(postcode=postcode)
        digits = normalise_phone(value)
        if len(digits) >= 6 and digits.isdigit():
            people |= Q(phone_normalised=digits)
        named = Party.objects.filter(people).values("case_id")
        words = Case.objects.filter(search_document=SearchQuery(value, config="english", search_type="websearch")).values("id")
        return queryset.filter(pk__in=direct.union(named, words))

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.exclude(status=CaseStatus.CLOSED)
        return queryset.filter(status=value)

    def by_officer(self, queryset, name, value):
        if value == "null" or value is None:
            return queryset.filter(officer__isnull=True)
        return queryset.filter(officer=value)

    def by_channel(self, queryset, name, value):
        return queryset.filter(Exists(Report.objects.filter(case=OuterRef("pk"), channel=value)))
