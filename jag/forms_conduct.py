"""Forms for running a meeting, its minutes and the actions between meetings. They parse input only; the rules (who,
when, which owner, stale versions) live in jag.services."""

import uuid

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from cases.forms import _date_field
from cases.models import PartnerAgency

from .models import ActionStatus, AttendanceStatus, ItemOutcome

COUNCIL = "council"
GUEST_ROWS = 3
TEXT_MAX = 20000
NAME_MAX = 200


def _helper(form, *fields) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _clean_int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class VersionForm(forms.Form):
    """Carries the version of the record the page was drawn from (a stale or missing one is refused by the service,
    never shown as an error on a hidden field)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version

    def clean_version(self):
        return _clean_int(self.cleaned_data.get("version"))


ATTENDANCE_CHOICES = [Choice(s.value, s.label) for s in AttendanceStatus]


class OpenForm(VersionForm):
    """Attendance at the start of the meeting: each active member present, with apologies or absent (present needs
    the confidentiality statement confirmed), and up to three guests."""

    submit_label = "Open the meeting"

    def __init__(self, *args, members, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.agencies = {str(a.pk): a for a in agencies}
        layout = []
        for m in members:
            who = f"{_person(m.user)} ({m.agency.name if m.agency_id else 'The council'})"
            # Not required: the page says a member not marked is recorded as absent (entries()).
            self.fields[f"status_{m.pk}"] = forms.ChoiceField(
                label=who, choices=ATTENDANCE_CHOICES, widget=forms.RadioSelect, required=False,
                error_messages={"invalid_choice": f"Choose present, apologies or absent for {_person(m.user)}"})
            self.fields[f"ack_{m.pk}"] = forms.BooleanField(
                label=f"{_person(m.user)} confirms the confidentiality statement", required=False)
            layout += [Field.radios(f"status_{m.pk}", small=True, inline=True), Field.checkbox(f"ack_{m.pk}", small=True)]
        agency_choices = [(COUNCIL, "The council"), *((str(a.pk), a.name) for a in agencies)]
        for i in range(GUEST_ROWS):
            n = i + 1
            self.fields[f"guest_{i}_name"] = forms.CharField(
                label=f"Guest {n}: name", required=False, max_length=NAME_MAX,
                error_messages={"max_length": f"Guest {n}'s name must be {NAME_MAX} characters or fewer"})
            self.fields[f"guest_{i}_agency"] = forms.ChoiceField(
                label=f"Guest {n}: agency", required=False, choices=agency_choices,
                error_messages={"invalid_choice": f"Choose guest {n}'s agency from the list"})
            self.fields[f"guest_{i}_status"] = forms.ChoiceField(
                label=f"Guest {n}: attendance", required=False, choices=ATTENDANCE_CHOICES, widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose present, apologies or absent for guest {n}"})
            self.fields[f"guest_{i}_ack"] = forms.BooleanField(
                label=f"Guest {n} confirms the confidentiality statement", required=False)
            layout.append(Fieldset(Field.text(f"guest_{i}_name"), Field.select(f"guest_{i}_agency"),
                                   Field.radios(f"guest_{i}_status", small=True, inline=True),
                                   Field.checkbox(f"guest_{i}_ack", small=True),
                                   legend=f"Guest {n} (optional)", legend_size=Size.MEDIUM))
        layout.append(Field("version"))
        self.helper = _helper(self, *layout)

    def clean(self):
        data = super().clean()
        for m in self.members:
            if data.get(f"status_{m.pk}") == AttendanceStatus.PRESENT and not data.get(f"ack_{m.pk}"):
                self.add_error(f"ack_{m.pk}", f"{_person(m.user)} must confirm the confidentiality statement to be present")
        for i in range(GUEST_ROWS):
            name = (data.get(f"guest_{i}_name") or "").strip()
            status = data.get(f"guest_{i}_status")
            if name and not status and f"guest_{i}_status" not in self.errors:
                self.add_error(f"guest_{i}_status", f"Choose present, apologies or absent for guest {i + 1}")
            if status and not name and f"guest_{i}_name" not in self.errors:
                self.add_error(f"guest_{i}_name", f"Enter guest {i + 1}'s name")
            if name and status == AttendanceStatus.PRESENT and not data.get(f"guest_{i}_ack"):
                self.add_error(f"guest_{i}_ack", f"Guest {i + 1} must confirm the confidentiality statement to be present")
        return data

    def entries(self):
        """The attendance as the service takes it (jag.services.meeting.AttendanceEntry)."""
        from .services.meeting import AttendanceEntry

        data = self.cleaned_data
        rows = [AttendanceEntry(member=m, status=data.get(f"status_{m.pk}") or AttendanceStatus.ABSENT,
                                acknowledged=bool(data.get(f"ack_{m.pk}"))) for m in self.members]
        for i in range(GUEST_ROWS):
            name = (data.get(f"guest_{i}_name") or "").strip()
            if name:
                rows.append(AttendanceEntry(name=name, agency=self.agencies.get(data.get(f"guest_{i}_agency") or ""),
                                            status=data[f"guest_{i}_status"], acknowledged=bool(data.get(f"guest_{i}_ack"))))
        return rows


class ItemForm(forms.Form):
    """What was said and decided on an item, and its outcome (blank until decided)."""

    submit_label = "Save the item"
    notes = forms.CharField(label="Notes", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                            help_text="What each agency reported. Name a case only by its reference.",
                            error_messages={"max_length": f"The notes must be {TEXT_MAX} characters or fewer"})
    decisions = forms.CharField(label="Decisions", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                                error_messages={"max_length": f"The decisions must be {TEXT_MAX} characters or fewer"})
    outcome = forms.ChoiceField(label="Outcome", required=False, widget=forms.RadioSelect,
                                choices=[Choice(o.value, o.label) for o in ItemOutcome],
                                help_text="Every item needs an outcome before the meeting closes.",
                                error_messages={"invalid_choice": "Choose the outcome"})
    # What the page showed (jag.services.meeting.item_seen): a save over someone else's newer notes is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.textarea("notes", rows=5), Field.textarea("decisions", rows=4),
                              Field.radios("outcome", small=True), Field("seen"))


class ActionAddForm(forms.Form):
    """An action agreed on an item: what, which agency owns it, who, by when. `key` is a one-time submission key: the
    view ignores a second post of the same key (a double click)."""

    submit_label = "Add the action"
    text = forms.CharField(label="Action", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Enter the action", "max_length": "The action must be 5000 characters or fewer"})
    owner_agency = forms.ChoiceField(label="Which agency owns it?", error_messages={
        "required": "Choose the agency that owns the action", "invalid_choice": "Choose the agency from the list"})
    owner = forms.ChoiceField(label="Who owns it?", help_text="They are reminded before it is due.", error_messages={
        "required": "Choose who owns the action", "invalid_choice": "Choose who owns the action from the list"})
    due_on = _date_field("Due date", help_text="For example, 27 3 2027")
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, agencies, people, **kwargs):
        """`agencies`: the group's member agencies; `people`: (user, agency or None) pairs to choose from."""
        super().__init__(*args, **kwargs)
        self.agency_map = {str(a.pk): a for a in agencies}
        self.people_map = {str(u.pk): u for u, _ in people}
        self.fields["owner_agency"].choices = [("", "Choose the agency"), (COUNCIL, "The council"),
                                               *((str(a.pk), a.name) for a in agencies)]
        self.fields["owner"].choices = [("", "Choose who"), *(
            (str(u.pk), f"{_person(u)} ({a.name if a is not None else 'The council'})") for u, a in people)]
        self.fields["key"].initial = uuid.uuid4().hex
        self.helper = _helper(self, Field.textarea("text", rows=3), Field.select("owner_agency"), Field.select("owner"),
                              Field("due_on"), Field("key"))

    def clean_key(self):
        return (self.cleaned_data.get("key") or "").strip()

    @property
    def agency(self) -> PartnerAgency | None:
        return self.agency_map.get(self.cleaned_data["owner_agency"])

    @property
    def owner_user(self):
        return self.people_map.get(self.cleaned_data["owner"])


class CloseForm(VersionForm):
    submit_label = "Close the meeting"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field("version"))


class MinutesDecisionForm(VersionForm):
    """The buttons on the minutes page: circulate them, or approve them at the next meeting."""

    what = forms.ChoiceField(choices=[("circulate", "Circulate"), ("approve", "Approve")], widget=forms.HiddenInput,
                             error_messages={"required": "Choose what to do", "invalid_choice": "Choose what to do"})


class MinutesEditForm(VersionForm):
    submit_label = "Save the minutes"
    text = forms.CharField(label="Minutes", max_length=100000, widget=forms.Textarea(attrs={"rows": 25}),
                           help_text="Name a case only by its reference.",
                           error_messages={"required": "Enter the minutes",
                                           "max_length": "The minutes must be 100,000 characters or fewer"})
    reason = forms.CharField(label="Why are you changing them?", required=False, max_length=300,
                             error_messages={"max_length": "The reason must be 300 characters or fewer"})

    def __init__(self, *args, locked: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = locked
        fields = [Field.textarea("text", rows=25)]
        if locked:
            self.fields["reason"].help_text = "The minutes were approved: the change is kept as an amendment, with who, when and why."
            fields.append(Field.text("reason"))
        else:
            del self.fields["reason"]
        self.helper = _helper(self, *fields, Field("version"))

    def clean(self):
        data = super().clean()
        if self.locked and not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", "Say why the approved minutes are being changed")
        return data


class ActionUpdateForm(VersionForm):
    submit_label = "Save the update"
    status = forms.ChoiceField(label="Status", widget=forms.RadioSelect, choices=[Choice(s.value, s.label) for s in ActionStatus],
                               error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"})
    progress = forms.CharField(label="Progress", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="What has been done. If the action is dropped, say why.",
                               error_messages={"max_length": "The progress must be 5000 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.radios("status", small=True), Field.textarea("progress", rows=4), Field("version"))

    def clean(self):
        data = super().clean()
        if data.get("status") == ActionStatus.DROPPED and not (data.get("progress") or "").strip() and "progress" not in self.errors:
            self.add_error("progress", "Say why the action was dropped")
        return data


SHOW_MINE, SHOW_AGENCY, SHOW_ALL = "mine", "agency", "all"


class ActionFilterForm(forms.Form):
    """The action list's filters (GET): whose actions, and open only or all."""

    show = forms.ChoiceField(label="Whose actions", required=False, widget=forms.RadioSelect)
    state = forms.ChoiceField(label="Which actions", required=False, widget=forms.RadioSelect,
                              choices=[Choice("open", "Open"), Choice("all", "All, including done and dropped")])

    def __init__(self, *args, partner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = [Choice(SHOW_MINE, "Mine"),
                                       Choice(SHOW_AGENCY, "My agency's") if partner else Choice(SHOW_ALL, "Everyone's")]
        self.helper = _helper(self, Field.radios("show", small=True, inline=True), Field.radios("state", small=True, inline=True))
        self.helper.form_method = "get"

    def values(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("show") or SHOW_MINE, data.get("state") or "open"
