"""asb_portal.form_renderer writes a <select> in Python: the HTML must be Django's templates' HTML, byte for byte."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from asb_portal.form_renderer import FormRenderer

TEMPLATES = DjangoTemplates()
FAST = FormRenderer()


def both(widget, name="field", value=None, attrs=None):
    return (widget.render(name, value, attrs=attrs, renderer=TEMPLATES),
            widget.render(name, value, attrs=attrs, renderer=FAST))


def test_the_fast_path_is_taken():
    """Not a comparison of the templates with themselves: the select is built without the option template."""
    widget = forms.Select(choices=[("a", "A")])
    context = widget.get_context("field", "a", None)
    assert FAST._select_is_djangos
    from asb_portal.form_renderer import select_html

    assert select_html(context["widget"]) == TEMPLATES.render("django/forms/widgets/select.html", context)


@pytest.mark.parametrize("widget,value,attrs", [
    (forms.Select(choices=[]), None, None),
    (forms.Select(choices=[("", "Any"), ("open", "Open"), ("closed", "Closed")]), "open", {"id": "id_status"}),
    (forms.Select(choices=[(1, 1000), (2, 2.5), (3, datetime.date(2026, 11, 18))]), 2, None),
    (forms.Select(choices=[("x", gettext_lazy("Lazy label")), ("y", mark_safe("<b>safe</b>"))]), "y", None),
    (forms.Select(choices=[(mark_safe("a&b"), "safe value"), ("a&b", "plain value"), (None, "none")]), "a&b", None),
    (forms.Select(choices=[("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C"), ("", [("d", "D")])]), "b", None),
    (forms.Select(choices=[("a", "A")], attrs={"disabled": True, "hidden": False, "data-x": None, "aria-describedby": "h"}),
     "a", {"class": 'govuk-select "quoted"'}),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"], {"required": True}),
    (forms.NullBooleanSelect(), True, None),
    (forms.Select(choices=[("é", "Café — naïve"), ("'", "it's \"quoted\"")]), "'", None),
])
def test_select_html_equals_djangos(widget, value, attrs):
    templates, fast = both(widget, value=value, attrs=attrs)
    assert fast == templates


def test_a_custom_option_template_falls_back_to_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    templates, fast = both(Custom(choices=[("a", "A"), ("b", "B")]), value="a")
    assert fast == templates


text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(choices=st.lists(st.tuples(st.one_of(text, st.integers()), st.one_of(text, st.integers())), max_size=6),
       picked=st.integers(min_value=0, max_value=6), name=text, extra=st.dictionaries(
           st.sampled_from(["class", "data-a", "title", "aria-label"]), st.one_of(text, st.booleans(), st.none())))
def test_any_choices_render_the_same(choices, picked, name, extra):
    value = choices[picked][0] if picked < len(choices) else None
    templates, fast = both(forms.Select(choices=choices), name=name, value=value, attrs=extra)
    assert fast == templates


@pytest.mark.django_db
def test_the_case_filters_render_the_same(officer_user):
    """The real case list filters (model choices for officers and categories), chosen and not."""
    from cases.filters import CaseFilter
    from cases.models import Case

    for data in ({}, {"status": "open_any", "sort": "received", "officer": str(officer_user.pk)}):
        form = CaseFilter(data, queryset=Case.objects.none()).form
        form.is_valid()
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.Select):
                bound = form[name]
                attrs = bound.build_widget_attrs({})
                templates = field.widget.render(bound.html_name, bound.value(), attrs=attrs, renderer=TEMPLATES)
                fast = field.widget.render(bound.html_name, bound.value(), attrs=attrs, renderer=FAST)
                assert "<option" in fast
                assert fast == templates, name
