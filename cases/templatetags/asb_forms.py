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


def _in_page_order(form) -> list:
    """The form's visible fields in the order its crispy layout draws them (which may differ from declaration
    order), so the summary reads as the page does; fields the layout leaves out keep their place at the end."""
    visible = form.visible_fields()
    layout = getattr(getattr(form, "helper", None), "layout", None)
    if layout is None:
        return visible
    drawn = [pointer.name for pointer in layout.get_field_names()]
    rank = {name: position for position, name in enumerate(drawn)}
    return sorted(visible, key=lambda bound: rank.get(bound.name, len(rank)))


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
        visible = _in_page_order(form)
        for error in form.non_field_errors():
            items.append((error_anchor(visible[0]) if visible else "", error))
        for field in visible:
            for error in field.errors:
                items.append((error_anchor(field), error))
    items.extend(extra_errors or [])
    return {"items": items}


@register.simple_tag
def also_happening(timeline) -> list[str]:
    """What else the case's reports say is happening besides their main category, oldest report first.

    Read from the report entries of the timeline the page has already loaded: no query (the case page has a budget)."""
    names = []
    for entry in reversed(list(timeline)):
        for name in (entry.changes or {}).get("also_happening", []) if entry.kind == "report" else []:
            if name not in names:
                names.append(name)
    return names


# Tags drawn in Python: the case list draws two per row, and an {% include %} each costs far more.
STATUS_COLOURS = {"new": "govuk-tag--blue", "open": "govuk-tag--green", "monitoring": "govuk-tag--purple"}
RISK_TAGS = {
    "high": ("govuk-tag--red", "High"), "medium": ("govuk-tag--yellow", "Medium"), "standard": ("govuk-tag--turquoise", "Standard"),
}


@register.simple_tag
def status_tag(status, label):
    from django.utils.html import format_html

    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_COLOURS.get(status, "govuk-tag--grey"), label)


@register.simple_tag
def risk_tag(level):
    from django.utils.html import format_html

    if level not in RISK_TAGS:  # not assessed (or a level this code does not know): never shown as a judgement
        return format_html('<strong class="govuk-tag {}">Not assessed<span class="govuk-visually-hidden"> for risk</span></strong>',
                           "govuk-tag--grey")
    colour, label = RISK_TAGS[level]
    return format_html('<strong class="govuk-tag {}">{}<span class="govuk-visually-hidden"> risk</span></strong>', colour, label)


@register.simple_tag
def due_cell(item):
    """includes/due.html drawn in Python, the same HTML (the officer home draws one per row)."""
    from django.template.defaultfilters import date, pluralize
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.timezone import template_localtime

    if not item:
        return mark_safe("Nothing due\n")
    when = format_html('<br><span class="govuk-!-font-size-16">{}</span>\n', date(template_localtime(item.due_at), "D j M"))
    if item.overdue:
        late = format_html(": {} day{} late", item.days_overdue, pluralize(item.days_overdue)) if item.days_overdue else ""
        return format_html('<strong class="govuk-tag govuk-tag--red app-overdue">Overdue</strong> {}{}{}', item.what, late, when)
    days = item.days
    soon = "due today" if days == 0 else format_html("in {} day{}", days, pluralize(days))
    return format_html("{}: {}{}", item.what, soon, when)
