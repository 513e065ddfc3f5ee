"""Forms for the JAG schedule, nominations and the agenda. They parse input; the rules (cut-offs, who may decide,
what may be tabled) live in jag.services. A case is named by its reference and looked up only among the cases the
user may see (cases.policy.cases_visible_to): an unknown and an unseen reference get the same error."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from cases.form_fields import PostcodeField
from cases.forms import _date_field
from cases.policy import cases_visible_to
from cases.services.register import place_key

from .models import ItemKind
from .services.schedule import REASON_MAX

UNSEEN_CASE = "Enter a case reference you can see"
REFERENCE_MAX = 40


def _clean_text(value: str) -> str:
    """Text without NUL characters (Postgres refuses them)."""
    return (value or "").replace("\x00", "").strip()


class JagForm(forms.Form):
    """A GOV.UK form drawn inside the page's own <form> (crispy draws the fields only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


class VersionedForm(JagForm):
    """A form that changes a meeting: it carries the version it was drawn from (a stale or missing one is refused by
    the service, never a form error on a hidden field)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version

    def clean_version(self):
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class SubjectForm(JagForm):
    """What is tabled: a case (by reference), a location (by its address) or a theme, and why."""

    kind = forms.ChoiceField(
        label="What is it about?", widget=forms.RadioSelect,
        choices=[Choice(ItemKind.CASE, "A case", hint="Give its reference"),
                 Choice(ItemKind.LOCATION, "A location", hint="Give its address and postcode"),
                 Choice(ItemKind.THEME, "A theme", hint="For example, off-road bikes across the borough")],
        error_messages={"required": "Choose whether it is a case, a location or a theme",
                        "invalid_choice": "Choose whether it is a case, a location or a theme"})
    case_reference = forms.CharField(label="Case reference (for a case)", required=False, max_length=REFERENCE_MAX,
                                     help_text="For example, ASB-2026-00042",
                                     error_messages={"max_length": UNSEEN_CASE})
    address = forms.CharField(label="Address (for a location)", required=False, max_length=300,
                              help_text="The street address or the name of the place, for example Bell Street Car Park")
    postcode = PostcodeField(label="Postcode (for a location)", required=False,
                             error_messages={"max_length": "Enter a real postcode, like LE18 1AA"})
    theme = forms.CharField(label="Theme (for a theme)", required=False, max_length=200,
                            error_messages={"max_length": "The theme must be 200 characters or fewer"})
    reason_label = "Why should it be discussed?"
    reason_missing = "Enter why it should be discussed"
    reason_max = 5000

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = None
        self.fields["reason"] = forms.CharField(
            label=self.reason_label, max_length=self.reason_max, widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"required": self.reason_missing,
                            "max_length": f"The reason must be {self.reason_max} characters or fewer"})
        self.helper.layout = Layout(Field.radios("kind", small=True), Field.text("case_reference", field_width=10),
                                    Field.text("address"), Field.text("postcode", field_width=10), Field.text("theme"),
                                    Field.textarea("reason", rows=4))

    def clean_reason(self):
        reason = _clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError(self.reason_missing)
        return reason

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ItemKind.CASE:
            reference = _clean_text(data.get("case_reference")).upper()
            found = cases_visible_to(self.user).filter(reference=reference).first() if reference else None
            if found is None:
                self.add_error("case_reference", UNSEEN_CASE)
            self.case = found
        elif kind == ItemKind.LOCATION:
            address = _clean_text(data.get("address"))
            data["address"] = address
            if "postcode" in self.errors:
                return data
            if not place_key(address, data.get("postcode") or ""):
                self.add_error("address", "Enter the address of the location")
        elif kind == ItemKind.THEME:
            data["theme"] = _clean_text(data.get("theme"))
            if not data["theme"]:
                self.add_error("theme", "Enter the theme")
        return data


class NominateForm(SubjectForm):
    pass


class ItemAddForm(SubjectForm):
    reason_label = "Why is it being added?"
    reason_missing = "Enter why it is being added"
    reason_max = REASON_MAX


class DecideForm(JagForm):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[Choice("accept", "Accept: it goes on the agenda"),
                                          Choice("decline", "Decline: it is not discussed at this meeting",
                                                 hint="It can be nominated again for the next meeting")],
                                 error_messages={"required": "Choose whether to accept or decline it",
                                                 "invalid_choice": "Choose whether to accept or decline it"})
    reason = forms.CharField(label="Reason for the decision", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter the reason for the decision",
                                             "max_length": f"The reason must be {REASON_MAX} characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("decision", small=True), Field.textarea("reason", rows=3))

    def clean_reason(self):
        reason = _clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError("Enter the reason for the decision")
        return reason


class MoveForm(VersionedForm):
    held_on = _date_field("New date")
    reason = forms.CharField(label="Why is the meeting moving?", max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Members see this beside the meeting's date.",
                             error_messages={"required": "Enter why the meeting is moving",
                                             "max_length": f"The reason must be {REASON_MAX} characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("held_on"), Field.textarea("reason", rows=3), Field("version"))

    def clean_reason(self):
        reason = _clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError("Enter why the meeting is moving")
        return reason


class ItemRemoveForm(JagForm):
    reason = forms.CharField(label="Why is it being removed?", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept on the meeting's record with your name.",
                             error_messages={"required": "Enter why it is being removed",
                                             "max_length": f"The reason must be {REASON_MAX} characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("reason", rows=3))

    def clean_reason(self):
        reason = _clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError("Enter why it is being removed")
        return reason


def _ids(values) -> list[int] | None:
    out = []
    for value in values:
        value = (value or "").strip()
        if not (value.isascii() and value.isdigit() and len(value) < 10):
            return None
        out.append(int(value))
    return out


def reorder_parse(data) -> list[int] | None:
    """The new order from the agenda page's post: the ids as drawn (`item`, each once, in the order on the page) and
    a button `move` = "up:<id>" or "down:<id>"; or, without a button, the ids already in the order wanted. None when
    the post makes no sense (the view then says the agenda has changed)."""
    drawn = _ids(data.getlist("item"))
    if not drawn or len(drawn) != len(set(drawn)):
        return None
    move = (data.get("move") or "").strip()
    if not move:
        return drawn
    direction, _, raw = move.partition(":")
    target = _ids([raw])
    if direction not in ("up", "down") or not target or target[0] not in drawn:
        return None
    at = drawn.index(target[0])
    other = at - 1 if direction == "up" else at + 1
    if 0 <= other < len(drawn):
        drawn[at], drawn[other] = drawn[other], drawn[at]
    return drawn
