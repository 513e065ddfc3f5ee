"""Forms for setting up a JAG: the group and its members. They parse input; the rules live in jag.services.groups."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout
from django import forms

from .forms_meetings import JagForm, _clean_text

WEEKS = [Choice(1, "First"), Choice(2, "Second"), Choice(3, "Third"), Choice(4, "Fourth"), Choice(5, "Last")]
WEEKDAYS = [Choice(0, "Monday"), Choice(1, "Tuesday"), Choice(2, "Wednesday"), Choice(3, "Thursday"), Choice(4, "Friday")]


class GroupForm(JagForm):
    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the group's name"})
    week = forms.TypedChoiceField(label="Which week of the month?", choices=WEEKS, coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": "Choose which week of the month the group meets",
                                                  "invalid_choice": "Choose which week of the month the group meets"})
    weekday = forms.TypedChoiceField(label="Which day?", choices=WEEKDAYS, coerce=int, widget=forms.RadioSelect,
                                     error_messages={"required": "Choose the day the group meets",
                                                     "invalid_choice": "Choose the day the group meets"})
    starts_at = forms.TimeField(label="Starts at", widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                help_text="For example, 10:00",
                                error_messages={"required": "Enter the time the meeting starts",
                                                "invalid": "Enter a time like 10:00"})
    location = forms.CharField(label="Where it meets", max_length=200,
                               error_messages={"required": "Enter where the group meets"})
    confidentiality_statement = forms.CharField(
        label="Confidentiality statement", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown at the start of every meeting; each member present acknowledges it.",
        error_messages={"required": "Enter the confidentiality statement"})
    nomination_cutoff_days = forms.TypedChoiceField(
        label="Nominations close this many working days before", coerce=int,
        choices=[(n, str(n)) for n in range(1, 11)], initial=2,
        error_messages={"invalid_choice": "Choose between 1 and 10 working days"})
    papers_cutoff_days = forms.TypedChoiceField(
        label="Papers go out this many working days before", coerce=int, choices=[(n, str(n)) for n in range(0, 11)],
        initial=1, error_messages={"invalid_choice": "Choose between 0 and 10 working days"})
    is_active = forms.BooleanField(label="The group is meeting (untick to stop its schedule)", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("name"), Field.radios("week", inline=True), Field.radios("weekday", inline=True),
            Field.text("starts_at", field_width=5), Field.text("location"), Field.textarea("confidentiality_statement"),
            Field.select("nomination_cutoff_days"), Field.select("papers_cutoff_days"), Field.checkbox("is_active"))

    def clean_name(self):
        return _clean_text(self.cleaned_data.get("name"))

    def clean_location(self):
        return _clean_text(self.cleaned_data.get("location"))

    def clean_confidentiality_statement(self):
        return _clean_text(self.cleaned_data.get("confidentiality_statement"))


class MemberAddForm(JagForm):
    user = forms.ChoiceField(label="Who?", error_messages={"required": "Choose who to add",
                                                            "invalid_choice": "Choose who to add from the list"})
    is_co_chair = forms.BooleanField(label="Co-chair", required=False)

    def __init__(self, *args, people, **kwargs):
        """`people`: (user, agency name or "") pairs who may join."""
        super().__init__(*args, **kwargs)
        self.people = {str(u.pk): u for u, _ in people}
        self.fields["user"].choices = [("", "Choose someone"), *(
            (str(u.pk), f"{u.get_full_name() or u.get_username()} ({agency or 'the council'})") for u, agency in people)]
        self.helper.layout = Layout(Field.select("user"), Field.checkbox("is_co_chair"))

    @property
    def chosen(self):
        return self.people.get(self.cleaned_data["user"])
