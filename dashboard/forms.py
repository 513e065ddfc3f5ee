"""The dashboard's period picker and filters (GET, kept in the URL so a view can be bookmarked)."""

from django import forms

from cases.filters import FilterDateField, OfficerChoiceField, staff_officers
from cases.models import Category, Channel, RiskLevel


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label="Period", required=False, initial="this_month", widget=forms.RadioSelect,
        choices=[("this_month", "This month"), ("last_month", "Last month"), ("12m", "Last 12 months"), ("custom", "Dates I choose")],
    )
    # GOV.UK date inputs (in the URL as start_0, start_1, start_2: day, month, year); years 1900 to 2100.
    start = FilterDateField(label="Start date", help_text="For example, 1 4 2026")
    end = FilterDateField(label="End date", help_text="For example, 30 4 2026")
    officer = OfficerChoiceField(label="Officer", queryset=staff_officers(), required=False, empty_label="All officers")
    category = forms.ModelChoiceField(label="Category", queryset=Category.objects.all(), required=False, empty_label="All categories")
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
    risk_level = forms.ChoiceField(label="Risk level", required=False, choices=[("", "All risk levels"), *RiskLevel.choices])

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            # A date already refused (say 31 February) has its own message; don't add a second one to it.
            missing = [name for name in ("start", "end") if not data.get(name) and name not in self.errors]
            if missing:
                self.add_error(missing[0], "Enter both dates for the period you choose")
            elif data.get("start") and data.get("end") and data["start"] > data["end"]:
                self.add_error("end", "The end date must be on or after the start date")
        return data
