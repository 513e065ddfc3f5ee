"""GOV.UK error summary whose links land on an element that can take focus.

crispy-forms-gds's own summary links radios to `#id_<field>` (no such element: its radios are
numbered from _1) and dates to a <div>. This one links to the first radio or checkbox, the
day input of a date, or the field itself.
"""

from django import forms, template

register = template.Library()


def error_anchor(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.inclusion_tag("includes/error_summary.html")
def error_summary_for(*forms_or_lists, extra_errors=None):
    """Errors of one or more forms, in page order. `extra_errors`: (anchor, message) pairs."""
    items = []
    flat = []
    for entry in forms_or_lists:
        flat.extend(entry if isinstance(entry, (list, tuple)) else [entry])
    for form in flat:
        if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
            continue
        visible = form.visible_fields()
        for error in form.non_field_errors():
            items.append((error_anchor(visible[0]) if visible else "", error))
        for field in visible:
            for error in field.errors:
                items.append((error_anchor(field), error))
    items.extend(extra_errors or [])
    return {"items": items}


# Tags drawn in Python: the case list draws two per row, and an {% include %} each costs far more.
STATUS_COLOURS = {"new": "govuk-tag--blue", "open": "govuk-tag--green", "monitoring": "govuk-tag--purple"}
RISK_TAGS = {"high": ("govuk-tag--red", "High"), "medium": ("govuk-tag--yellow", "Medium")}


@register.simple_tag
def status_tag(status, label):
    from django.utils.html import format_html

    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_COLOURS.get(status, "govuk-tag--grey"), label)


@register.simple_tag
def risk_tag(level):
    from django.utils.html import format_html

    colour, label = RISK_TAGS.get(level, ("govuk-tag--grey", "Standard"))
    return format_html('<strong class="govuk-tag {}">{}<span class="govuk-visually-hidden"> risk</span></strong>', colour, label)
