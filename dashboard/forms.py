"""The dashboard's period picker and filters (GET, kept in the URL so a view can be bookmarked)."""

from django import forms

from cases.filters import OfficerChoiceField, staff_officers
from cases.form_fields import IsoDateField
from cases.models import Category, Channel, RiskLevel


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label="Period", required=False, initial="this_month", widget=forms.RadioSelect,
        choices=[("this_month", "This month"), ("last_month", "Last month"), ("12m", "Last 12 months"), ("custom", "Dates I choose")],
    )
    # Years 1900 to 2100, like every date input: 31 December 9999 is a typing mistake, shown as one.
    start = IsoDateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = IsoDateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    officer = OfficerChoiceField(label="Officer", queryset=staff_officers(), required=False, empty_label="All officers")
    category = forms.ModelChoiceField(label="Category", queryset=Category.objects.all(), required=False, empty_label="All categories")
    channel = forms.ChoiceField(label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
    risk_level = forms.ChoiceField(label="Risk level", required=False, choices=[("", "All risk levels"), *RiskLevel.choices])

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            if not data.get("start") or not data.get("end"):
                self.add_error("start", "Enter both dates for the period you choose")
            elif data["start"] > data["end"]:
                self.add_error("end", "The end date must be on or after the start date")
        return data
