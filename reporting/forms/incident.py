"""The questions about what happened: category, place, time, description, people, support, evidence."""

import functools

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone

from cases.form_fields import DateField, PostcodeField
from cases.models import Category, Frequency, PartyRole

from .base import HATE_CHARACTERISTICS, SUPPORT_NEEDS, YES_NO_NOT_SURE, StepForm, _label

OTHER_CATEGORY_SLUG = "other"


class CategoryChoiceIterator(ModelChoiceIterator):
    """Each category with its hint; "Other" last, after the GOV.UK "or" divider."""

    def __init__(self, field, *, divider=True):
        super().__init__(field)
        self.divider = divider

    def __iter__(self):
        not_offered = getattr(self.field, "not_offered", ())
        categories = [c for c in self.queryset if c.pk not in not_offered]
        others = [c for c in categories if c.slug == OTHER_CATEGORY_SLUG]
        ordered = [c for c in categories if c.slug != OTHER_CATEGORY_SLUG] + others
        for position, category in enumerate(ordered):
            before_other = self.divider and others and position == len(ordered) - len(others) - 1
            value = ModelChoiceIteratorValue(self.field.prepare_value(category), category)
            yield Choice(value, self.field.label_from_instance(category), hint=category.hint, divider="or" if before_other else "")

    def __len__(self):
        return len(list(iter(self)))


class CategoryChoiceField(forms.ModelChoiceField):
    iterator = CategoryChoiceIterator


class CategoriesChoiceField(forms.ModelMultipleChoiceField):
    # Checkboxes: GOV.UK's "or" divider means "none of these", which is not what "Other" means here.
    iterator = functools.partial(CategoryChoiceIterator, divider=False)


class CategoryForm(StepForm):
    question_is_heading = True
    title = "What is happening?"
    staff_title = "What is happening"
    category = CategoryChoiceField(
        queryset=Category.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        label="What is happening?",
        help_text="Choose the main problem. You can tell us about anything else on the next page",
        error_messages={"required": "Select what is happening", "invalid_choice": "Select what is happening"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["category"].help_text = "The main problem. Anything else goes in the next question"
        self.helper.layout = Layout(Field.radios("category", legend_size=Size.LARGE, legend_tag="h1") if not self.for_staff else Field.radios("category", small=True))

    def summary(self):
        return [("What is happening", self.cleaned_data["category"].name)]


class OtherCategoriesForm(StepForm):
    """Optional: the other problems alongside the main one (noise and intimidation, say)."""

    question_is_heading = True
    title = "Is anything else happening?"
    staff_title = "Anything else happening"
    other_categories = CategoriesChoiceField(
        queryset=Category.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Is anything else happening? (optional)",
        help_text="Select all that apply, or continue if nothing else is happening",
        error_messages={"invalid_choice": "Select from the list", "invalid_pk_value": "Select from the list"},
    )
    staff_labels = {"other_categories": "Is anything else happening? (optional)"}

    def __init__(self, *args, main_category=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.main_category = main_category
        field = self.fields["other_categories"]
        if main_category is not None:
            # Not offered again, but still accepted (and dropped): an answer given before the main problem was
            # changed to it must not stop the journey at "Send".
            field.not_offered = {main_category.pk}
        if self.for_staff:
            field.help_text = "Select all that apply besides the main problem"
        self.helper.layout = Layout(
            Field.checkboxes("other_categories", legend_size=Size.LARGE, legend_tag="h1")
            if not self.for_staff
            else Field.checkboxes("other_categories", small=True)
        )

    def clean_other_categories(self):
        chosen = self.cleaned_data["other_categories"]
        return [c for c in chosen if self.main_category is None or c.pk != self.main_category.pk]

    def summary(self):
        chosen = self.cleaned_data["other_categories"]
        return [("Also happening", ", ".join(c.name for c in chosen) or "Nothing else")]


class LocationForm(StepForm):
    title = "Where did it happen?"
    staff_title = "Where it happened"
    address = forms.CharField(label="Address or street name (optional)", required=False, max_length=300)
    postcode = PostcodeField(label="Postcode (optional)", required=False)
    location_description = forms.CharField(
        label="Describe the place (optional)",
        help_text="For example, the alley behind the shops on Bell Street, or the park near the play area",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("address"),
            Field.text("postcode", field_width=10),
            Field.textarea("location_description", rows=3),
        )

    def clean(self):
        data = super().clean()
        if not (data.get("address") or data.get("postcode") or data.get("location_description")) and not self.errors:
            self.add_error("address", "Enter an address, a postcode or a description of the place")
        return data

    def summary(self):
        d = self.cleaned_data
        where = ", ".join(x for x in [d["address"], d["postcode"]] if x)
        rows = [("Where", where or "Not given")]
        if d["location_description"]:
            rows.append(("About the place", d["location_description"]))
        return rows


class WhenForm(StepForm):
    title = "When did it happen?"
    staff_title = "When it happened"
    is_ongoing = forms.TypedChoiceField(
        label="Is it still happening?",
        choices=[("no", "No, it happened once"), ("yes", "Yes, it keeps happening")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it is still happening"},
    )
    incident_date = DateField(
        label="Date it happened, or when it started",
        help_text="For example, 27 3 2026. If it keeps happening, when it started or the latest time",
        require_all_fields=False,
    )
    incident_time = forms.TimeField(
        label="Time (optional)",
        help_text="For example, 21:30",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        input_formats=["%H:%M", "%H.%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"],
        error_messages={"invalid": "Enter a time like 21:30 or 9:30pm"},
    )
    frequency = forms.ChoiceField(
        label="If it keeps happening, how often?",
        choices=[c for c in Frequency.choices if c[0] != Frequency.ONCE],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident_date"].error_messages.update(
            {"required": "Enter the date it happened", "incomplete": "Enter the date it happened, including day, month and year"}
        )
        # Flat rather than a conditional reveal: GOV.UK Frontend's reveal puts aria-expanded
        # on radios, which axe (rightly, by ARIA 1.2) reports; without JavaScript it looks the same.
        self.helper.layout = Layout(
            # One radio size on the page: regular for residents, small (as everywhere on it) on the phone report.
            Field.radios("is_ongoing", small=self.for_staff),
            Field.radios("frequency", small=self.for_staff),
            Field("incident_date"),
            Field.text("incident_time", field_width=5),
        )

    def clean_incident_date(self):
        value = self.cleaned_data["incident_date"]
        if value and value > timezone.localdate():
            raise ValidationError("The date must be today or in the past")
        if value and value.year < 1990:
            raise ValidationError("Enter a real date, like 27 3 2026")
        return value

    def clean(self):
        data = super().clean()
        day, at = data.get("incident_date"), data.get("incident_time")
        if day and at and day == timezone.localdate() and at > timezone.localtime().time().replace(second=59):
            self.add_error("incident_time", "The time must be now or in the past")
        if data.get("is_ongoing") and not data.get("frequency"):
            self.add_error("frequency", "Select how often it happens")
        if data.get("is_ongoing") is False:
            data["frequency"] = Frequency.ONCE
        return data

    def summary(self):
        d = self.cleaned_data
        when = d["incident_date"].strftime("%-d %B %Y")
        if d.get("incident_time"):
            when += f" at {d['incident_time']:%H:%M}"
        rows = [("When", when)]
        if d["is_ongoing"]:
            rows.append(("How often", _label(Frequency.choices, d["frequency"])))
        return rows


class DescriptionForm(StepForm):
    title = "What happened?"
    staff_title = "What happened"
    description = forms.CharField(
        label="Describe what happened",
        help_text="Include what was said or done, who was there, and anything that identifies the people involved",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what happened"},
    )
    impact = forms.CharField(
        label="How is it affecting you or others? (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    staff_labels = {"impact": "How is it affecting the caller or others? (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("description", rows=6), Field.textarea("impact", rows=4))

    def summary(self):
        d = self.cleaned_data
        return [("What happened", d["description"]), ("How it affects you", d["impact"] or "Not given")]


class PeopleForm(StepForm):
    staff_required_messages = {"perpetrator_known": "Select whether the caller knows who is responsible"}

    title = "Who is responsible?"
    staff_title = "Who is responsible"
    perpetrator_known = forms.ChoiceField(
        label="Do you know who is responsible?",
        choices=[
            ("named", "Yes, I know who it is"),
            ("described", "I do not know their name, but I can describe them or the group"),
            ("unknown", "I do not know who is responsible"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you know who is responsible"},
    )
    perpetrator_name = forms.CharField(label="If you know who it is: their name", required=False, max_length=200)
    perpetrator_address = forms.CharField(label="Their address, if you know it (optional)", required=False, max_length=300)
    perpetrator_description = forms.CharField(
        label="Anything else that helps us identify them (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    group_description = forms.CharField(
        label="If you do not know their name: describe them or the group",
        help_text="For example, age, height, clothing, vehicle, how many people",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    staff_labels = {
        "perpetrator_known": "Does the caller know who is responsible?",
        "perpetrator_name": "If the caller knows who it is: their name",
        "perpetrator_address": "Their address, if the caller knows it (optional)",
        "group_description": "If the caller does not know their name: describe them or the group",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["perpetrator_known"].choices = [
                ("named", "Yes, the caller knows who it is"),
                ("described", "The caller does not know their name, but can describe them or the group"),
                ("unknown", "The caller does not know who is responsible"),
            ]
        self.helper.layout = Layout(
            Field.radios("perpetrator_known", small=self.for_staff),
            Field.text("perpetrator_name"),
            Field.text("perpetrator_address"),
            Field.textarea("perpetrator_description", rows=3),
            Field.textarea("group_description", rows=3),
        )

    def clean(self):
        data = super().clean()
        known = data.get("perpetrator_known")
        if known == "named" and not data.get("perpetrator_name", "").strip():
            self.add_error("perpetrator_name", "Enter their name")
        if known == "described":
            if not data.get("group_description", "").strip():
                self.add_error("group_description", "Describe them or the group")
            # One place for the description whichever way it was given.
            data["perpetrator_description"] = data.get("group_description", "")
        if known == "unknown":
            data.update(perpetrator_name="", perpetrator_address="", perpetrator_description="")
        return data

    def summary(self):
        d = self.cleaned_data
        known = d["perpetrator_known"]
        if known == "named":
            text = d["perpetrator_name"] + (f", {d['perpetrator_address']}" if d["perpetrator_address"] else "")
            if d["perpetrator_description"]:
                text += f". {d['perpetrator_description']}"
        elif known == "described":
            text = d["perpetrator_description"]
        else:
            text = "Not known"
        return [("Who is responsible", text)]


class YourPartForm(StepForm):
    staff_required_messages = {"reporter_role": "Select how the caller is involved"}

    question_is_heading = True
    title = "How are you involved?"
    staff_title = "How the caller is involved"
    reporter_role = forms.ChoiceField(
        label="How are you involved?",
        choices=[
            (PartyRole.VICTIM, "It is happening to me"),
            (PartyRole.WITNESS, "I saw or heard it happen to someone else"),
            (PartyRole.REPORTER, "I am reporting on behalf of someone else"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you are involved"},
    )
    on_behalf_of = forms.CharField(
        label="If you are reporting for someone else, their name (optional)", required=False, max_length=200
    )
    staff_labels = {"reporter_role": "How is the caller involved?", "on_behalf_of": "Name of the person they are reporting for (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["reporter_role"].choices = [
                (PartyRole.VICTIM, "It is happening to them (victim)"),
                (PartyRole.WITNESS, "They saw or heard it (witness)"),
                (PartyRole.REPORTER, "Reporting on behalf of someone else"),
            ]
        self.helper.layout = Layout(
            Field.radios("reporter_role", legend_size=Size.LARGE, legend_tag="h1") if not self.for_staff else Field.radios("reporter_role", small=True),
            Field.text("on_behalf_of"),
        )

    def clean(self):
        data = super().clean()
        if data.get("reporter_role") != PartyRole.REPORTER:
            data["on_behalf_of"] = ""
        return data

    def summary(self):
        d = self.cleaned_data
        rows = [("How you are involved", _label(self.fields["reporter_role"].choices, d["reporter_role"]))]
        if d["on_behalf_of"]:
            rows.append(("Reporting for", d["on_behalf_of"]))
        return rows


class SupportForm(StepForm):
    staff_required_messages = {"hate_motivated": "Select whether the caller thinks it was motivated by hate"}

    title = "Support and hate incidents"
    staff_title = "Support needs and hate incidents"
    support_needs = forms.MultipleChoiceField(
        label="Do you, or the person affected, need any support? (optional)",
        help_text="Select all that apply. This helps us judge the risk and contact you in the right way",
        choices=SUPPORT_NEEDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_details = forms.CharField(
        label="Tell us more about support needs (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    hate_motivated = forms.ChoiceField(
        label="Do you think it was because of who you are, or who the person affected is?",
        help_text="For example their race, religion, sexual orientation, disability or transgender identity",
        choices=YES_NO_NOT_SURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you think it was motivated by hate"},
    )
    hate_characteristics = forms.MultipleChoiceField(
        label="If yes or not sure, what do you think it was about? (optional)", choices=HATE_CHARACTERISTICS, required=False, widget=forms.CheckboxSelectMultiple
    )
    staff_labels = {
        "support_needs": "Does the caller, or the person affected, need any support? (optional)",
        "hate_motivated": "Does the caller think it was motivated by hate?",
        "hate_characteristics": "If yes or not sure, what does the caller think it was about? (optional)",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_staff:
            self.fields["support_needs"].help_text = (
                "Select all that apply. This helps us judge the risk and contact the caller in the right way"
            )
        self.helper.layout = Layout(
            Field.checkboxes("support_needs", small=True),
            Field.textarea("support_details", rows=3),
            Field.radios("hate_motivated", small=self.for_staff),
            Field.checkboxes("hate_characteristics", small=True),
        )

    def clean(self):
        data = super().clean()
        if data.get("hate_motivated") == "no":
            data["hate_characteristics"] = []
        return data

    def summary(self):
        d = self.cleaned_data
        needs = ", ".join(_label(SUPPORT_NEEDS, n) for n in d["support_needs"]) or "None given"
        if d["support_details"]:
            needs += f". {d['support_details']}"
        hate = _label(YES_NO_NOT_SURE, d["hate_motivated"])
        if d["hate_characteristics"]:
            hate += ": " + ", ".join(_label(HATE_CHARACTERISTICS, c) for c in d["hate_characteristics"])
        return [("Support needs", needs), ("Motivated by hate", hate)]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class EvidenceForm(StepForm):
    title = "Upload photos, videos or documents (optional)"
    files = MultipleFileField(
        label="Upload a file",
        required=False,
        help_text="Photos, videos, audio recordings or documents. Each file must be smaller than {size}.",
    )

    def __init__(self, *args, staged_count=0, **kwargs):
        super().__init__(*args, **kwargs)
        from django.template.defaultfilters import filesizeformat

        self.staged_count = staged_count
        self.fields["files"].help_text = self.fields["files"].help_text.format(size=filesizeformat(settings.EVIDENCE_MAX_BYTES))
        self.helper.layout = Layout(Field("files"))

    def clean_files(self):
        # Type, size and the other limits are the service's (cases.services.evidence_stage), which reads each
        # file once; the view puts its refusals on this field. The count is checked here too, so a choice of
        # too many files is refused before any is staged.
        files = self.cleaned_data["files"]
        if self.staged_count + len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(f"You can upload up to {settings.EVIDENCE_MAX_FILES} files")
        return files
