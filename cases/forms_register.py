"""Forms for the register's screens: merging people, the vulnerable flag, deciding a possible match, the repeat
rules. They parse input; the rules live in cases.services.register."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

PERIODS = {"30d": ("Last 30 days", 30), "3m": ("Last 3 months", 91), "12m": ("Last 12 months", 365)}
DEFAULT_PERIOD = "30d"
RULE_CASES = (2, 20)
RULE_MONTHS = (1, 36)


def _helper(form) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    return helper


class MergePickForm(forms.Form):
    """Which other record is the same person: one of the candidates, or a record number typed in."""

    other = forms.ChoiceField(label="Which record is the same person?", widget=forms.RadioSelect, required=False)
    other_id = forms.IntegerField(label="Or type the person's record number", required=False, min_value=1,
                                  help_text="The number at the end of the person's page address, for example 1234",
                                  error_messages={"invalid": "Enter a record number, like 1234",
                                                  "min_value": "Enter a record number, like 1234"})
    reason = forms.CharField(label="Why are they the same person?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept with the merge, for anyone who reviews or undoes it.",
                             error_messages={"required": "Say why they are the same person",
                                             "max_length": "Keep the reason to 300 characters or fewer"})

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [Choice(str(c.person.pk), c.person.full_name, hint=c.hint) for c in candidates]
        self.helper = _helper(self)
        layout = [Field.radios("other", small=True)] if candidates else []
        if not candidates:
            del self.fields["other"]
        self.helper.layout = Layout(*layout, Field.text("other_id", field_width=10), Field.textarea("reason", rows=3))

    def clean(self):
        data = super().clean()
        chosen, typed = data.get("other"), data.get("other_id")
        if chosen and typed and str(typed) != chosen:
            self.add_error("other_id", "Choose a record from the list or type a record number, not both")
        elif not chosen and not typed and "other_id" not in self.errors:
            self.add_error("other_id", "Choose the record that is the same person, or type its record number")
        data["person_id"] = int(chosen) if chosen else typed
        return data


class ConfirmForm(forms.Form):
    """The confirm step of a merge: the choice travels in hidden fields, the button confirms."""

    person_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(widget=forms.HiddenInput, max_length=300)


class VulnerableForm(forms.Form):
    vulnerable = forms.TypedChoiceField(
        label="Is this person vulnerable?", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[Choice("yes", "Yes", hint="Flagged as vulnerable wherever they appear, on every case"), Choice("no", "No")],
        error_messages={"required": "Select whether this person is vulnerable"},
    )
    note = forms.CharField(label="Why (optional)", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For example, lives alone with dementia. Staff see this beside the flag.",
                           error_messages={"max_length": "Keep the note to 300 characters or fewer"})

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None and not self.is_bound:
            self.fields["vulnerable"].initial = "yes" if person.is_vulnerable else "no"
            self.fields["note"].initial = person.vulnerability_note
        self.helper = _helper(self)
        self.helper.layout = Layout(Field.radios("vulnerable", small=True, legend_size=Size.MEDIUM), Field.textarea("note", rows=3))

    def clean(self):
        data = super().clean()
        if data.get("vulnerable") is True and not (data.get("note") or "").strip():
            self.add_error("note", "Say why this person is vulnerable")
        return data


class MatchDecideForm(forms.Form):
    same = forms.TypedChoiceField(
        label="Is this the same person?", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[Choice("yes", "Yes, the same person", hint="Their cases are linked to one record"),
                 Choice("no", "No, a different person", hint="We will not suggest this match again")],
        error_messages={"required": "Select whether this is the same person"},
    )

    def __init__(self, *args, legend="Is this the same person?", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["same"].label = legend
        self.helper = _helper(self)
        self.helper.layout = Layout(Field.radios("same", small=True, legend_size=Size.MEDIUM))


def _whole(label: str, low: int, high: int, unit: str) -> forms.IntegerField:
    message = f"{label} must be a whole number from {low} to {high}"
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=f"From {low} to {high} {unit}",
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}", "invalid": message, "min_value": message, "max_value": message},
    )


class RepeatRulesForm(forms.Form):
    victim_cases = _whole("Victim: number of cases", *RULE_CASES, "cases")
    victim_months = _whole("Victim: in how many months", *RULE_MONTHS, "months")
    perpetrator_cases = _whole("Perpetrator: number of cases", *RULE_CASES, "cases")
    perpetrator_months = _whole("Perpetrator: in how many months", *RULE_MONTHS, "months")

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules and not self.is_bound:
            for kind, rule in rules.items():
                self.fields[f"{kind}_cases"].initial = rule.cases
                self.fields[f"{kind}_months"].initial = rule.months
        self.helper = _helper(self)
        self.helper.layout = Layout(*[Field.text(name, field_width=3) for name in self.fields])

    def rules(self) -> dict[str, tuple[int, int]]:
        return {kind: (self.cleaned_data[f"{kind}_cases"], self.cleaned_data[f"{kind}_months"]) for kind in ("victim", "perpetrator")}


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Period", choices=[(k, v[0]) for k, v in PERIODS.items()], required=False,
                               widget=forms.RadioSelect, initial=DEFAULT_PERIOD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self)
        self.helper.layout = Layout(Field.radios("period", small=True, inline=True))

    def chosen(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("period"):
            return self.cleaned_data["period"]
        return DEFAULT_PERIOD
