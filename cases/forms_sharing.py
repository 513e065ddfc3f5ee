"""Forms for sharing with partner agencies: agreements, sharing a case, stopping, lock-down, the access log filter.
They parse input; the rules (consent, agreements in force, scope) live in cases.services.sharing."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from .form_fields import DateField
from .forms import CaseForm
from .models import LawfulBasis, PersonBasis, ShareScope

WITHHOLD = "withhold"

SCOPE_CHOICES = [
    Choice(ShareScope.REFERENCE, "Reference only", hint="The case reference, the agencies involved and the officer's name. "
           "Use this for a locked-down (sensitive) case."),
    Choice(ShareScope.SUMMARY, "Summary and people", hint="What the case is about, where, its status and risk level, and the "
           "people you choose below."),
    Choice(ShareScope.TIMELINE, "Summary, people and entries marked for partners",
           hint="Also the timeline entries marked “Shared with partner agencies”."),
    Choice(ShareScope.EVIDENCE, "Summary, people, entries and chosen evidence", hint="Also the evidence files you tick below."),
]

PERSON_CHOICES = {
    PersonBasis.CONSENT: "Share: they agreed",
    PersonBasis.SAFEGUARDING: "Share without consent: safeguarding",
    PersonBasis.CRIME_PREVENTION: "Share without consent: prevention or detection of crime",
    WITHHOLD: "Do not share",
}


def _date(label, *, required=True, help_text="For example, 31 3 2027"):
    field = DateField(label=label, required=required, help_text=help_text, require_all_fields=False)
    name = label.replace(" (optional)", "").lower()
    field.error_messages.update({"required": f"Enter the {name}", "incomplete": f"Enter the {name}, including day, month and year"})
    return field


def consent_words(party) -> str:
    return {True: "agreed to sharing", False: "did not agree to sharing"}.get(party.consent_to_share, "not asked about sharing")


class ShareForm(CaseForm):
    """Share a case (with `agencies`) or change a share (`share`): scope, each person's basis, evidence, end date."""

    agency = forms.ChoiceField(label="Partner agency", widget=forms.RadioSelect,
                               error_messages={"required": "Choose a partner agency with an agreement in force",
                                               "invalid_choice": "Choose a partner agency with an agreement in force"})
    reason = forms.CharField(label="Why are you sharing this case?", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The partner agency does not see this. It is kept on the case's timeline.",
                             error_messages={"required": "Give the reason for sharing"})
    scope = forms.ChoiceField(label="What can they see?", choices=SCOPE_CHOICES, widget=forms.RadioSelect,
                              error_messages={"required": "Choose what they can see"})
    evidence = forms.MultipleChoiceField(label="Evidence to share", required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text="Used only when they can see chosen evidence.",
                                         error_messages={"invalid_choice": "Choose evidence from this case"})
    ends_on = _date("End date (optional)", required=False, help_text="Sharing stops at the end of this day. For example, 31 3 2027")

    def __init__(self, *args, agencies=None, share=None, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.share = share
        self.agencies = agencies or []
        self.unavailable = [c for c in self.agencies if c.refusal]
        self.submit_label = "Save changes" if share else "Share the case"
        if share is not None:
            del self.fields["agency"], self.fields["reason"]
        else:
            self.fields["agency"].choices = [
                Choice(str(c.agency.pk), c.agency.name, hint=f"{c.agency.get_kind_display()}. Agreement {c.status.text[:1].lower()}{c.status.text[1:]}")
                for c in self.agencies if not c.refusal
            ]
        self.fields["evidence"].choices = [(str(e.pk), f"{e.original_name} ({e.uploaded_at:%-d %b %Y})") for e in evidence]
        self.parties_on_case = list(self.case.parties.all())
        shared = {sp.party_id: sp.basis for sp in share.people.all()} if share else {}
        for party in self.parties_on_case:
            choices = [
                Choice(value, label) for value, label in PERSON_CHOICES.items()
                if value != PersonBasis.CONSENT or party.consent_to_share is True
            ]
            field = forms.ChoiceField(
                label=f"{party.get_role_display()}: {party} ({consent_words(party)})", choices=choices, widget=forms.RadioSelect,
                error_messages={"required": f"Choose whether to share the details of {party}",
                                "invalid_choice": f"Choose whether to share the details of {party}"},
            )
            if share is not None:
                field.initial = shared.get(party.pk, WITHHOLD)
            else:
                field.initial = PersonBasis.CONSENT if party.consent_to_share is True else WITHHOLD
            self.fields[self.person_field(party)] = field
        if share is not None and not self.is_bound:
            self.fields["scope"].initial = share.scope
            self.fields["evidence"].initial = [str(e.pk) for e in share.evidence.all()]
            self.fields["ends_on"].initial = share.ends_on
        else:
            self.fields["scope"].initial = ShareScope.REFERENCE if self.case.is_locked_down else ShareScope.SUMMARY
        layout = [] if share else [Field.radios("agency", small=True), Field.textarea("reason", rows=4)]
        layout += [Field.radios("scope", small=True, legend_size=Size.MEDIUM)]
        layout += [Field.radios(self.person_field(p), small=True) for p in self.parties_on_case]
        if evidence:
            layout += [Field.checkboxes("evidence", small=True)]
        else:
            del self.fields["evidence"]
        layout += [Field("ends_on")]
        self.helper.layout = Layout(*layout)

    @staticmethod
    def person_field(party) -> str:
        return f"person_{party.pk}"

    def clean(self):
        data = super().clean()
        if data.get("scope") != ShareScope.EVIDENCE:
            data["evidence"] = []  # ticked boxes count only at the evidence scope (the hint says so)
        ends_on = data.get("ends_on")
        if ends_on and ends_on < timezone.localdate():
            self.add_error("ends_on", "The end date must be today or later")
        return data

    def chosen_agency(self, choices):
        pk = self.cleaned_data.get("agency")
        return next((c.agency for c in choices if str(c.agency.pk) == str(pk) and not c.refusal), None)

    def people_bases(self) -> dict[int, str | None]:
        bases = {}
        for party in self.parties_on_case:
            value = self.cleaned_data.get(self.person_field(party))
            bases[party.pk] = None if value in (None, "", WITHHOLD) else value
        return bases


class StopShareForm(CaseForm):
    submit_label = "Stop sharing"
    reason = forms.CharField(label="Why are you stopping sharing?", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give the reason for stopping sharing"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("reason", rows=3))


class LockDownForm(CaseForm):
    """Nothing to fill in: the page explains, the button confirms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit_label = "Lift the lock-down" if self.case.is_locked_down else "Lock the case down"
        self.helper.layout = Layout()


class AgreementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the agreement's title"},
                            help_text="For example, Leicestershire Community Safety information-sharing agreement 2026")
    lawful_basis = forms.ChoiceField(label="Lawful basis for sharing", choices=LawfulBasis.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "Select the lawful basis for sharing"})
    what_may_be_shared = forms.CharField(label="What may be shared", max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
                                         error_messages={"required": "Say what may be shared under the agreement"})
    signed_on = _date("Date signed")
    review_by = _date("Review date", help_text="The agreement lapses after this day unless renewed. For example, 31 3 2027")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit_label = "Record the agreement"
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(Field.text("title"), Field.radios("lawful_basis", small=True),
                                    Field.textarea("what_may_be_shared", rows=4), Field("signed_on"), Field("review_by"))

    def clean(self):
        data = super().clean()
        signed, review = data.get("signed_on"), data.get("review_by")
        if signed and review and review < signed:
            self.add_error("review_by", "The review date must be on or after the date it was signed")
        return data


class AgreementEndForm(forms.Form):
    ended_on = _date("Date it ended", help_text="From this day nothing is shared under it. For example, 31 3 2027")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field("ended_on"))


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)
    reference = forms.CharField(label="Case reference", required=False, max_length=20)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Any (council staff included)"), *[(str(pk), name) for pk, name in agencies]]
