"""The case list's search and filters (django-filter)."""

import django_filters
import django_filters.fields
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.core.validators import RegexValidator
from django.db.models import Case as CaseWhen
from django.db.models import Exists, IntegerField, OuterRef, Q, Value, When

from .form_fields import DateField
from .models import Case, CaseStatus, Category, Channel, Party, Report, RiskLevel
from .policy import Can, users_who_can
from .validators import normalise_phone, normalise_postcode

OPEN = "open_any"


def staff_officers():
    """Who can be given a case: everyone who works cases (cases.policy), by name."""
    return users_who_can(Can.WORK_CASES).order_by("first_name", "last_name", "username")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class _OfficerFilterField(django_filters.fields.ModelChoiceField):
    # django-filter's own field, which knows the "Unassigned" (null) choice.
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class OfficerFilter(django_filters.ModelChoiceFilter):
    field_class = _OfficerFilterField


class FilterDateField(DateField):
    """An optional GOV.UK date input (day, month, year) whose every message names the date it is about.

    A list or dashboard has two of them side by side, so "Enter the month" alone would not say which.
    """

    def __init__(self, *, label, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("require_all_fields", False)  # one message per missing box, each linked to its date
        super().__init__(label=label, **kwargs)
        for box, part in zip(self.fields, ("day", "month", "year"), strict=True):
            box.error_messages = {**box.error_messages, "incomplete": f"{label} must include a {part}"}
            box.validators = [RegexValidator(r"^[0-9]+$", self.invalid_message)]


class DateInputFilter(django_filters.DateFilter):
    field_class = FilterDateField


class CaseFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "Received to must be the same as or after received from")
        return data


# Risk sorts by severity, not by the stored word (alphabetically "not_assessed" would fall between medium and standard).
RISK_RANK = CaseWhen(
    *[When(risk_level=level, then=Value(rank)) for rank, level in enumerate(RiskLevel.values)], default=Value(-1),
    output_field=IntegerField(),
)


class CaseOrderingFilter(django_filters.OrderingFilter):
    def filter(self, qs, value):
        qs = super().filter(qs, value)
        # Ties broken by id: pages of the same list never show a case twice or skip one.
        return qs.order_by(*qs.query.order_by, "-id") if value else qs

    def get_ordering_value(self, param):
        if param.lstrip("-") == "risk":
            return RISK_RANK.desc() if param.startswith("-") else RISK_RANK.asc()
        return super().get_ordering_value(param)


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
    # GOV.UK date inputs: in the URL as received_from_0 (day), _1 (month) and _2 (year).
    received_from = DateInputFilter(field_name="received_at", lookup_expr="date__gte", label="Received from")
    received_to = DateInputFilter(field_name="received_at", lookup_expr="date__lte", label="Received to")
    sort = CaseOrderingFilter(
        label="Sort by",
        fields=(("received_at", "received"), ("reference", "reference"), ("status", "status"), ("risk_level", "risk"), ("officer__first_name", "officer")),
        field_labels={
            "received": "Oldest first", "-received": "Newest first", "reference": "Reference", "-reference": "Reference (descending)",
            "status": "Status", "-status": "Status (descending)", "risk": "Risk (not assessed first)", "-risk": "Risk (high first)",
            "officer": "Officer", "-officer": "Officer (descending)",
        },
        empty_label="Newest first",
    )

    class Meta:
        form = CaseFilterForm

    # Filters on the case's own columns: with a search, they are applied inside each of its indexed branches.
    CASE_COLUMN_FILTERS = ("status", "risk_level", "category", "officer", "received_from", "received_to")

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        searching = bool((data.get("q") or "").strip())
        for name, value in data.items():
            if searching and name in self.CASE_COLUMN_FILTERS:
                continue  # already inside the search's branches (see `search`)
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def case_conditions(self, prefix: str = "") -> Q:
        """The case-column filters chosen (status, risk, category, officer, received dates) as one Q, the same
        rules as by_status, by_officer and the plain filters; `prefix` reaches the case from another model."""
        data, q = self.form.cleaned_data, Q()
        if status := data.get("status"):
            q &= ~Q(**{f"{prefix}status": CaseStatus.CLOSED}) if status == OPEN else Q(**{f"{prefix}status": status})
        if risk := data.get("risk_level"):
            q &= Q(**{f"{prefix}risk_level": risk})
        if category := data.get("category"):
            q &= Q(**{f"{prefix}category": category})
        if officer := data.get("officer"):
            q &= Q(**{f"{prefix}officer__isnull": True}) if officer == "null" else Q(**{f"{prefix}officer": officer})
        if start := data.get("received_from"):
            q &= Q(**{f"{prefix}received_at__date__gte": start})
        if end := data.get("received_to"):
            q &= Q(**{f"{prefix}received_at__date__lte": end})
        return q

    def search(self, queryset, name, value):
        """Reference, name, phone, email, address or postcode, or words from the descriptions.

        One UNION of indexed branches (trigram indexes for "contains", B-tree for exact matches, the GIN
        full-text index for words), used as a subquery: an OR across tables would scan every case. The
        case-column filters go inside each branch, so a branch yields only the cases asked for (open ones,
        say) and is never joined afterwards with every open case.
        """
        value = value.strip()
        if not value:
            return queryset
        postcode = normalise_postcode(value)
        chosen, chosen_via_party = self.case_conditions(), self.case_conditions("case__")
        direct = Case.objects.filter(
            Q(reference__icontains=value) | Q(address__icontains=value) | Q(location_description__icontains=value) | Q(postcode=postcode)
        ).filter(chosen).order_by().values("id")
        people = Q(full_name__icontains=value) | Q(email=value.lower()) | Q(address__icontains=value) | Q(postcode=postcode)
        digits = normalise_phone(value)
        if len(digits) >= 6 and digits.isdigit():
            people |= Q(phone_normalised=digits)
        named = Party.objects.filter(people).filter(chosen_via_party).order_by().values("case_id")
        words = Case.objects.filter(search_document=SearchQuery(value, config="english", search_type="websearch"))
        words = words.filter(chosen).order_by().values("id")
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
