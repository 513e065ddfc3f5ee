"""The form renderer: Django's own (DjangoTemplates), except that a `<select>` is written in Python.

Django's select template includes a template for every `<option>`, which includes another for its attributes.
The case list's filters hold about 150 options: rendering them was a third of the list's CPU time (issue 16).
The HTML is the same, byte for byte (tests/test_form_renderer.py compares the two for every kind of choice);
anything unusual (another option template, a callable value, an app overriding the select template) goes to the
templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.functional import cached_property
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
_CONTEXT = Context(autoescape=True)  # as the backend's make_context builds it for a form widget


def _out(value) -> str:
    """`{{ value }}`."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (stringformat keeps a safe string safe)."""
    text = stringformat(value, "s")
    return _out(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308 (safe only if it was)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(" " + _out(name))
            if value is not True:
                parts.append('="' + _formatted(value) + '"')
    return "".join(parts)


def select_html(widget: dict) -> str | None:
    """django/forms/widgets/select.html with select_option.html inlined, or None to use the templates."""
    parts = ['<select name="', _out(widget["name"]), '"', _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts += ['\n  <optgroup label="', _out(group_name), '">']
        for option in group_choices:
            value, label = option["value"], option["label"]
            if option["template_name"] != OPTION or callable(value) or callable(label):
                return None  # a template variable would call them: leave that to the template
            parts += ['\n  <option value="', _formatted(value), '"', _attrs(option["attrs"]), ">", _out(label),
                      "</option>\n"]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER."""

    @cached_property
    def _select_is_djangos(self) -> bool:
        origin = self.engine.get_template(SELECT).origin.name.replace("\\", "/")
        return origin.endswith("django/forms/templates/" + SELECT)

    def render(self, template_name, context, request=None):
        if template_name == SELECT and callable(getattr(context.get("widget"), "get", None)) and self._select_is_djangos:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
