"""The questions about the reporter: anonymity, details, customer group, contact preferences, consent;
and turning all the answers into the service's input."""

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from cases.form_fields import PhoneField, PostcodeField
from cases.models import CustomerGroup, PreferredContactMethod
from cases.services import ReportSubmission
from cases.validators import contact_method_problem

from .base import BEST_TIMES, StepForm, _label


class AnonymousForm(StepForm):
    staff_required_messages = {"anonymous": "Select whether the caller wants to give their details"}

    question_is_heading = True
    title = "Do you want to give your name and contact details?"
    staff_title = "Caller's details"
    anonymous = forms.TypedChoiceField(
        label="Do you want to give your name and contact details?",
        choices=[("no", "Yes, give my details"), ("yes", "No, report anonymously")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        help_text="If you report anonymously we cannot contact you, ask you for more information or tell you what we have done.",
        error_messages={"required": "Select whether you want to give your details"},
    )
    staff_labels = {"anonymous": "Does the caller want to give their details?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["anonymous"].choices = [("no", "Yes, give their details"), ("yes", "No, anonymous report")]
            self.fields["anonymous"].help_text = "Tell the caller that we cannot update anonymous reporters."
        self.helper.layout = Layout(
            Field.radios("anonymous", legend_size=Size.LARGE, legend_tag="h1") if not self.for_staff else Field.radios("anonymous", small=True)
        )

    def summary(self):
        return [("Anonymous", "Yes: we cannot update you" if self.cleaned_data["anonymous"] else "No")]


class AboutYouForm(StepForm):
    staff_required_messages = {"full_name": "Enter the caller's full name, or choose an anonymous report"}

    title = "Your details"
    staff_title = "Caller's contact details"
    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="We will send you a reference number for your report",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone = PhoneField(label="Phone number (optional)", required=False, help_text="A mobile number if you would like text messages")
    reporter_address = forms.CharField(label="Your address (optional)", required=False, max_length=300)
    reporter_postcode = PostcodeField(label="Your postcode (optional)", required=False)
    staff_labels = {"reporter_address": "Caller's address (optional)", "reporter_postcode": "Caller's postcode (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["email"].help_text = "We will send the caller a reference number for their report"
            self.fields["phone"].help_text = "A mobile number if the caller would like text messages"
        self.helper.layout = Layout(
            Field.text("full_name"),
            Field.text("email", field_width=20),
            Field.text("phone", field_width=20),
            Field.text("reporter_address"),
            Field.text("reporter_postcode", field_width=10),
        )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("email") or data.get("phone") or data.get("reporter_address")):
            who = "the caller's" if self.for_staff else "your"
            self.add_error("email", f"Enter {who} email address, phone number or address so we can contact {'them' if self.for_staff else 'you'}")
        return data

    def summary(self):
        d = self.cleaned_data
        rows = [("Name", d["full_name"])]
        rows += [(label, d[key]) for label, key in [("Email", "email"), ("Phone", "phone")] if d[key]]
        address = ", ".join(x for x in [d["reporter_address"], d["reporter_postcode"]] if x)
        if address:
            rows.append(("Address", address))
        return rows


class CustomerGroupForm(StepForm):
    staff_required_messages = {"customer_group": "Select which of these describes the caller best"}

    question_is_heading = True
    title = "Which of these describes you best?"
    staff_title = "Customer group"
    customer_group = forms.ChoiceField(
        label="Which of these describes you best?",
        choices=CustomerGroup.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which of these describes you best"},
    )
    staff_labels = {"customer_group": "Which of these describes the caller best?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("customer_group", legend_size=Size.LARGE, legend_tag="h1") if not self.for_staff else Field.radios("customer_group", small=True)
        )

    def summary(self):
        return [("You are", _label(CustomerGroup.choices, self.cleaned_data["customer_group"]))]


class ContactPreferencesForm(StepForm):
    staff_required_messages = {"preferred_contact_method": "Select how the caller would like us to contact them"}

    title = "How should we contact you?"
    staff_title = "How to contact the caller"
    preferred_contact_method = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=PreferredContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you would like us to contact you"},
    )
    best_times = forms.MultipleChoiceField(
        label="When is best to contact you? (optional)", choices=BEST_TIMES, required=False, widget=forms.CheckboxSelectMultiple
    )
    best_times_notes = forms.CharField(
        label="Anything else about contacting you safely (optional)",
        help_text="For example, do not leave voicemail messages, or only call after 6pm",
        required=False,
        max_length=200,
    )
    staff_labels = {
        "preferred_contact_method": "How would the caller like us to contact them?",
        "best_times": "When is best to contact them? (optional)",
        "best_times_notes": "Anything else about contacting the caller safely (optional)",
    }

    def __init__(self, *args, contact_details=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_details = contact_details or {}
        self.helper.layout = Layout(
            Field.radios("preferred_contact_method", small=self.for_staff),
            Field.checkboxes("best_times", small=True),
            Field.text("best_times_notes"),
        )

    def clean(self):
        data = super().clean()
        method = data.get("preferred_contact_method")
        if method:
            details = self.contact_details
            problem = contact_method_problem(
                method=method,
                email=details.get("email", ""),
                phone=details.get("phone", ""),
                address=details.get("reporter_address", ""),
                postcode=details.get("reporter_postcode", ""),
            )
            if problem:
                if self.for_staff:
                    problem = problem.replace("Enter an", "Enter the caller's").replace("Enter your", "Enter the caller's").replace("contact you", "contact them")
                self.add_error("preferred_contact_method", problem)
        return data

    def best_times_text(self) -> str:
        d = self.cleaned_data
        parts = [_label(BEST_TIMES, t) for t in d.get("best_times", [])]
        if d.get("best_times_notes"):
            parts.append(d["best_times_notes"])
        return "; ".join(parts)

    def summary(self):
        return [
            ("Contact me by", _label(PreferredContactMethod.choices, self.cleaned_data["preferred_contact_method"])),
            ("Best times", self.best_times_text() or "Any time"),
        ]


class ConsentForm(StepForm):
    staff_required_messages = {"consent_to_share": "Select whether we can share the caller's details with partner agencies"}

    title = "Sharing your report"
    staff_title = "Consent to share"
    consent_to_share = forms.TypedChoiceField(
        label="Can we share your details with partner agencies if that helps to resolve the problem?",
        help_text="For example Leicestershire Police, the NHS or social services. We always share information when the law requires it, for example to protect someone from harm",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether we can share your details with partner agencies"},
    )
    staff_labels = {"consent_to_share": "Can we share the caller's details with partner agencies?"}

    def __init__(self, *args, anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        if anonymous:
            del self.fields["consent_to_share"]
            self.helper.layout = Layout()
        else:
            self.helper.layout = Layout(Field.radios("consent_to_share", small=self.for_staff))

    def summary(self):
        if "consent_to_share" not in self.cleaned_data:
            return []
        return [("Share with partner agencies", "Yes" if self.cleaned_data["consent_to_share"] else "No")]


class CheckAnswersForm(StepForm):
    """The last step: no questions, just the send button."""

    title = "Check your answers before sending your report"


def submission_from(answers: dict, *, is_anonymous: bool) -> ReportSubmission:
    """Turn the merged cleaned data of the step forms into the service's input."""
    best_times = "; ".join(
        [_label(BEST_TIMES, t) for t in answers.get("best_times", [])] + [x for x in [answers.get("best_times_notes", "")] if x]
    )
    personal = {} if is_anonymous else {
        "full_name": answers.get("full_name", ""),
        "email": answers.get("email", ""),
        "phone": answers.get("phone", ""),
        "reporter_address": answers.get("reporter_address", ""),
        "reporter_postcode": answers.get("reporter_postcode", ""),
        "preferred_contact_method": answers.get("preferred_contact_method", ""),
        "best_times": best_times,
        "consent_to_share": answers.get("consent_to_share"),
    }
    return ReportSubmission(
        category=answers["category"],
        other_categories=list(answers.get("other_categories") or []),
        description=answers["description"],
        impact=answers.get("impact", ""),
        reporter_role=answers["reporter_role"],
        on_behalf_of=answers.get("on_behalf_of", ""),
        address=answers.get("address", ""),
        postcode=answers.get("postcode", ""),
        location_description=answers.get("location_description", ""),
        is_ongoing=answers["is_ongoing"],
        incident_date=answers.get("incident_date"),
        incident_time=answers.get("incident_time"),
        frequency=answers.get("frequency", ""),
        perpetrator_known=answers.get("perpetrator_known", "unknown"),
        perpetrator_name=answers.get("perpetrator_name", ""),
        perpetrator_address=answers.get("perpetrator_address", ""),
        perpetrator_description=answers.get("perpetrator_description", ""),
        support_needs=answers.get("support_needs", []),
        support_details=answers.get("support_details", ""),
        hate_motivated=answers.get("hate_motivated", "no"),
        hate_characteristics=answers.get("hate_characteristics", []),
        is_anonymous=is_anonymous,
        customer_group=answers.get("customer_group", ""),
        **personal,
    )
