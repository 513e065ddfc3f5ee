"""Forms for Case Review applications: the public form, the staff form for phone and paper applications, and the
contact person's actions (acknowledge, contact person, link, withdraw). They parse input; the rules live in
casereview.services.applications."""

from datetime import datetime, time

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.utils import timezone

from cases import sla
from cases.form_fields import DateField, PhoneField, PostcodeField
from cases.models import PreferredContactMethod
from cases.validators import contact_method_problem

from .models import Relationship, Route, VictimKind
from .services.applications import ACKNOWLEDGE_METHODS, REPORTED_TO, ApplicationSubmission

YES_NO = [("yes", "Yes"), ("no", "No")]


def _helper(form, *layout, size=Size.SMALL) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = size
    helper.legend_size = size
    helper.layout = Layout(*layout)
    return helper


def _date_field(label, *, required=False, help_text="For example, 27 3 2026"):
    field = DateField(label=label, required=required, help_text=help_text, require_all_fields=False)
    what = label.replace(" (optional)", "").lower()
    field.error_messages.update({"required": f"Enter the {what}", "incomplete": f"Enter the {what}, including day, month and year"})
    return field


def _heading(text: str) -> HTML:
    return HTML(f'<h2 class="govuk-heading-m govuk-!-margin-top-6">{text}</h2>')


def _yes_no(value) -> bool:
    return value == "yes"


class ApplicationForm(forms.Form):
    """The application, on one page in sections (short enough on a phone: every question is one column)."""

    applicant_is_victim = forms.TypedChoiceField(
        label="Are you the victim?", coerce=_yes_no, widget=forms.RadioSelect,
        choices=[Choice("yes", "Yes, I am the victim", hint="Or I am applying for my business or community group"),
                 Choice("no", "No, I am applying for someone else", hint="With their agreement")],
        error_messages={"required": "Select whether you are the victim"})
    relationship = forms.ChoiceField(
        label="If you are applying for someone else: who are you to them?", required=False, widget=forms.RadioSelect,
        choices=Relationship.choices)
    victim_consents = forms.BooleanField(
        label="The victim agrees to me applying for them", required=False,
        help_text="If you are applying for someone else, we need their agreement. We may check with them.")
    victim_kind = forms.ChoiceField(
        label="Who is the victim?", widget=forms.RadioSelect, choices=VictimKind.choices,
        error_messages={"required": "Select who the victim is"})
    victim_name = forms.CharField(
        label="Name of the victim, business or group", required=False, max_length=200,
        help_text="Leave it empty if you are the victim and it is you personally")

    applicant_name = forms.CharField(label="Your full name", max_length=200, error_messages={"required": "Enter your full name"})
    email = forms.EmailField(label="Email address (optional)", required=False, max_length=254,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"})
    phone = PhoneField(label="Phone number (optional)", required=False, help_text="A mobile number if you would like text messages")
    address = forms.CharField(label="Address (optional)", required=False, max_length=300)
    postcode = PostcodeField(label="Postcode (optional)", required=False)
    preferred_contact_method = forms.ChoiceField(
        label="How should we contact you?", widget=forms.RadioSelect, choices=PreferredContactMethod.choices,
        error_messages={"required": "Select how you would like us to contact you"})
    support_needs = forms.CharField(
        label="Do you need any help or support to take part? (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, an interpreter, large print, or someone to come with you to a meeting")

    location = forms.CharField(label="Where is the problem happening?", max_length=300,
                               help_text="A street, address or place", error_messages={"required": "Say where the problem is happening"})
    description = forms.CharField(label="What has been happening?", max_length=10000, widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages={"required": "Say what has been happening"})
    reported_to = forms.MultipleChoiceField(label="Who have you reported it to? (optional)", required=False,
                                            choices=REPORTED_TO, widget=forms.CheckboxSelectMultiple,
                                            help_text="Select all that apply")
    first_reported_on = _date_field("When did you first report it? (optional)", help_text="Roughly is fine. For example, 27 3 2026")
    last_reported_on = _date_field("When did you last report it? (optional)", help_text="For example, 27 3 2026")
    case_references = forms.CharField(label="Reference numbers, if you have them (optional)", required=False, max_length=300,
                                      help_text="From the council (like ASB-2026-00042), the police or your landlord")
    impact = forms.CharField(label="How is it affecting you or the victim? (optional)", required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    hate_related = forms.TypedChoiceField(
        label="Do you think it is happening because of who the victim is?", coerce=_yes_no, widget=forms.RadioSelect,
        choices=[Choice("yes", "Yes", hint="For example their race, religion, disability, sexual orientation or gender identity"),
                 ("no", "No, or I am not sure")],
        error_messages={"required": "Select whether you think it is motivated by hate"})

    for_staff = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if getattr(field, "max_length", None) and name != "postcode":
                what = str(field.label or name).replace(" (optional)", "")
                field.error_messages["max_length"] = f"{what} must be {field.max_length} characters or fewer"
        self.fields["postcode"].error_messages["max_length"] = "Enter a real postcode, like LE18 1AA"
        if self.for_staff:
            self._reword_for_staff()
        self.helper = _helper(self, *self._layout(), size=Size.SMALL if self.for_staff else Size.MEDIUM)

    def _reword_for_staff(self):
        f = self.fields
        f["applicant_is_victim"].label = "Is the applicant the victim?"
        f["applicant_is_victim"].choices = [Choice("yes", "Yes, the applicant is the victim", hint="Or applies for their business or group"),
                                            Choice("no", "No, they apply for someone else", hint="With the victim's agreement")]
        f["applicant_is_victim"].error_messages["required"] = "Select whether the applicant is the victim"
        f["relationship"].label = "If they apply for someone else: who are they to the victim?"
        f["victim_consents"].label = "The victim agrees to them applying"
        f["victim_name"].help_text = "Leave it empty if the applicant is the victim personally"
        f["applicant_name"].label = "Applicant's full name"
        f["applicant_name"].error_messages["required"] = "Enter the applicant's full name"
        f["preferred_contact_method"].label = "How should we contact the applicant?"
        f["preferred_contact_method"].error_messages["required"] = "Select how the applicant would like us to contact them"
        f["support_needs"].label = "Help or support they need to take part (optional)"
        f["impact"].label = "How it is affecting the victim (optional)"
        f["hate_related"].label = "Do they think it is happening because of who the victim is?"
        f["first_reported_on"].label = "When did they first report it? (optional)"
        f["last_reported_on"].label = "When did they last report it? (optional)"
        f["reported_to"].label = "Who have they reported it to? (optional)"

    def _layout(self):
        who = "the applicant" if self.for_staff else "you"
        return [
            _heading("Who is applying"),
            Field.radios("applicant_is_victim"), Field.radios("relationship", small=True), Field.checkbox("victim_consents"),
            Field.radios("victim_kind"), Field.text("victim_name"),
            _heading(f"How to contact {who}"),
            Field.text("applicant_name"), Field.text("email", field_width=20), Field.text("phone", field_width=20),
            Field.text("address"), Field.text("postcode", field_width=10), Field.radios("preferred_contact_method"),
            Field.textarea("support_needs", rows=3),
            _heading("The problem"),
            Field.text("location"), Field.textarea("description", rows=6), Field.checkboxes("reported_to"),
            Field("first_reported_on"), Field("last_reported_on"), Field.text("case_references"),
            Field.textarea("impact", rows=4), Field.radios("hate_related"),
        ]

    def today(self):
        return timezone.localdate()

    def clean(self):
        data = super().clean()
        you = "the applicant" if self.for_staff else "you"
        if data.get("applicant_is_victim") is False:
            if not data.get("relationship"):
                self.add_error("relationship", f"Select who {you} {'is' if self.for_staff else 'are'} to the victim")
            if not data.get("victim_consents"):
                self.add_error("victim_consents", "Confirm that the victim agrees to this application")
            if not data.get("victim_name", "").strip():
                self.add_error("victim_name", "Enter the name of the victim, business or group")
        if data.get("victim_kind") and data["victim_kind"] != VictimKind.INDIVIDUAL and not data.get("victim_name", "").strip():
            if "victim_name" not in self.errors:
                self.add_error("victim_name", "Enter the name of the business or group")
        method = data.get("preferred_contact_method")
        if method and not any(k in self.errors for k in ("email", "phone", "address", "postcode")):
            problem = contact_method_problem(method=method, email=data.get("email", ""), phone=data.get("phone", ""),
                                             address=data.get("address", ""), postcode=data.get("postcode", ""))
            if problem:
                if self.for_staff:
                    problem = problem.replace("contact you", "contact them")
                self.add_error("preferred_contact_method", problem)
        today = self.today()
        for name in ("first_reported_on", "last_reported_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, "The date must be today or in the past")
        first, last = data.get("first_reported_on"), data.get("last_reported_on")
        if first and last and first > last and "last_reported_on" not in self.errors:
            self.add_error("last_reported_on", "The last time must be the same as or after the first time")
        return data

    def submission(self) -> ApplicationSubmission:
        d = self.cleaned_data
        return ApplicationSubmission(
            applicant_name=d["applicant_name"], preferred_contact_method=d["preferred_contact_method"], location=d["location"].strip(),
            description=d["description"].strip(), applicant_is_victim=d["applicant_is_victim"], relationship=d.get("relationship") or "",
            victim_consents=True if not d["applicant_is_victim"] else None, victim_kind=d["victim_kind"],
            victim_name=d.get("victim_name", "").strip(), email=d.get("email", ""), phone=d.get("phone", ""),
            address=d.get("address", "").strip(), postcode=d.get("postcode", ""), support_needs=d.get("support_needs", "").strip(),
            reported_to=list(d.get("reported_to") or []), case_references=d.get("case_references", "").strip(),
            first_reported_on=d.get("first_reported_on"), last_reported_on=d.get("last_reported_on"), impact=d.get("impact", "").strip(),
            hate_related=d["hate_related"],
        )


class StaffApplicationForm(ApplicationForm):
    """A phone, paper, email or in-person application, logged by staff: how and when it came in, then the same questions."""

    for_staff = True
    route = forms.ChoiceField(label="How did the application come in?", widget=forms.RadioSelect,
                              choices=[c for c in Route.choices if c[0] != Route.ONLINE],
                              error_messages={"required": "Select how the application came in",
                                              "invalid_choice": "Select how the application came in"})
    received_on = _date_field("Date received", required=True, help_text="The day it reached the council. For example, 27 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def _layout(self):
        return [Field.radios("route", small=True), Field("received_on"), *super()._layout()]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date received must be today or in the past")
        return value

    def received_at(self) -> datetime:
        """Today: now. An earlier day: midday that day (only the London date counts for the stages' due dates)."""
        day = self.cleaned_data["received_on"]
        if day == timezone.localdate():
            return timezone.now()
        return datetime.combine(day, time(12, 0), tzinfo=sla.LONDON)


class VersionedForm(forms.Form):
    """An action on one application: carries its version, so a form opened before someone else's change is stale."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1,
                                 error_messages={"required": "Reload the page and try again", "invalid": "Reload the page and try again",
                                                 "min_value": "Reload the page and try again", "max_value": "Reload the page and try again"})

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["version"].initial = application.version


class AcknowledgeForm(VersionedForm):
    method = forms.ChoiceField(label="How did you acknowledge it?", widget=forms.RadioSelect, choices=ACKNOWLEDGE_METHODS,
                               error_messages={"required": "Select how you acknowledged the application"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preferred = self.application.preferred_contact_method
        if preferred in dict(ACKNOWLEDGE_METHODS):
            self.fields["method"].initial = preferred
        self.helper = _helper(self, Field("version"), Field.radios("method", small=True))


class SpocForm(VersionedForm):
    spoc = forms.ChoiceField(label="Who is the contact person?", widget=forms.RadioSelect,
                             error_messages={"required": "Select the contact person", "invalid_choice": "Select the contact person"})

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["spoc"].choices = [(str(p.pk), p.get_full_name() or p.get_username()) for p in people]
        if self.application.spoc_id:
            self.fields["spoc"].initial = str(self.application.spoc_id)
        self.helper = _helper(self, Field("version"), Field.radios("spoc", small=True))

    @property
    def chosen(self):
        return self.people.get(self.cleaned_data.get("spoc"))


NO_PERSON = "none"


class LinkForm(VersionedForm):
    """Link to a council case (found by its reference first) and choose the victim's record among its people."""

    case_reference = forms.CharField(widget=forms.HiddenInput, max_length=20)
    person = forms.ChoiceField(label="Which person on the case is the victim?", widget=forms.RadioSelect,
                               error_messages={"required": "Select the victim, or “Not in the register yet”",
                                               "invalid_choice": "Select the victim, or “Not in the register yet”"})

    def __init__(self, *args, victims=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.victims = {str(p.person_id): p for p in victims}
        self.fields["person"].choices = [
            *(Choice(str(p.person_id), p.full_name, hint=f"{p.get_role_display()}" + (f", {p.address}" if p.address else "")) for p in victims),
            Choice(NO_PERSON, "None of these", hint="Link the case only"),
        ]
        self.helper = _helper(self, Field("version"), Field("case_reference"), Field.radios("person", small=True))

    @property
    def chosen_person(self):
        party = self.victims.get(self.cleaned_data.get("person"))
        return party.person if party else None


class WithdrawForm(VersionedForm):
    reason = forms.CharField(label="Why is it withdrawn?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example, the applicant asked to withdraw on 3 March by phone",
                             error_messages={"required": "Give the reason it was withdrawn",
                                             "max_length": "The reason must be 300 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field("version"), Field.textarea("reason", rows=3))

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("Give the reason it was withdrawn")
        return value


class ListFilterForm(forms.Form):
    stage = forms.ChoiceField(label="Show", required=False, choices=[("open", "Open applications"), ("closed", "Closed applications"),
                                                                     ("all", "All applications")])
