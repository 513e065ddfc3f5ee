"""The JAG's figures (jag.figures): month by month, for managers of JAG business and dashboard readers, on screen and
as a CSV. Filtered by a range of months (12 by default, ending this month) and, optionally, one group."""

import re
from datetime import date

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.policy import Can, requires_any

from ..figures import figures_csv as csv_text
from ..figures import monthly_figures
from ..figures import totals as figures_totals
from ..models import JagGroup

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
MAX_MONTHS = 60


def month_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


class MonthField(forms.Field):
    """A month as YYYY-MM (2000 to 2100), cleaned to its first day."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            return None
        match = MONTH.match(value) if len(value) <= 10 else None
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(f"Enter the {self.label.lower()} as a year and month, for example 2026-04")
        return date(int(match.group(1)), int(match.group(2)), 1)


class FiguresForm(forms.Form):
    start = MonthField(label="First month", help_text="For example, 2025-04")
    end = MonthField(label="Last month", help_text="For example, 2026-03")
    group = forms.ModelChoiceField(label="Group", queryset=JagGroup.objects.order_by("name"), required=False,
                                   empty_label="All groups")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The last month must be the same as or after the first month")
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error("end", f"Choose {MAX_MONTHS} months or fewer")
        return data

    def months(self, today: date) -> tuple[date, date, JagGroup | None]:
        """The range to show: the form's when valid, else the 12 months ending this month."""
        this_month = today.replace(day=1)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or (this_month if not data.get("start") else min(month_back(data["start"], -11), this_month))
        start = data.get("start") or month_back(end, 11)
        return start, end, data.get("group")


def _read(request):
    form = FiguresForm(request.GET or None)
    start, end, group = form.months(timezone.localdate())
    return form, start, end, group


@never_cache
@requires_any(Can.MANAGE_JAG, Can.READ_DASHBOARD)
def figures(request):
    form, start, end, group = _read(request)
    rows = monthly_figures(start=start, end=end, group=group)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return render(request, "jag/figures.html", {"form": form, "rows": rows, "totals": figures_totals(rows), "start": start, "end": end,
                                                "group": group, "query": query})


@never_cache
@requires_any(Can.MANAGE_JAG, Can.READ_DASHBOARD)
def figures_csv(request):
    _, start, end, group = _read(request)
    text = csv_text(monthly_figures(start=start, end=end, group=group), group_name=group.name if group else "")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jag-figures-{start:%Y-%m}-to-{end:%Y-%m}.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
