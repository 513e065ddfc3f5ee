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
