"""The case page's timeline items (`{% load case_timeline %}{% case_timeline_items timeline %}`): the HTML the
page's loop drew, character for character, built in one call rather than some thirty template lookups per entry."""

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import capfirst
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

register = template.Library()

VISIBILITY_TAGS = {
    "internal": '<strong class="govuk-tag govuk-tag--grey">Internal</strong>',
    "resident": '<strong class="govuk-tag govuk-tag--blue">Shareable</strong>',
    "partners": '<strong class="govuk-tag govuk-tag--purple">Shared with partners</strong>',
}


def _when(moment, use_tz) -> str:
    """`moment|date:"D j M Y H:i"` as django.utils.dateformat writes it, without parsing the format each time."""
    at = template_localtime(moment, use_tz)
    return f"{WEEKDAYS_ABBR[at.weekday()]} {at.day} {MONTHS_3[at.month].title()} {at.year:04d} {at.hour:02d}:{at.minute:02d}"


def _part(values, index):
    """`values.0` as the template resolves it: "" (so "(blank)") when there is no such item."""
    try:
        return values[index]
    except (TypeError, KeyError, IndexError):
        return ""


@register.simple_tag(takes_context=True)
def case_timeline_items(context, timeline) -> str:
    """One <li> per entry, newest first as given, each followed by the loop's whitespace."""
    def out(value):
        return render_value_in_context(value, context)

    html = []
    for entry in timeline:
        internal = entry.visibility == "internal"
        meta = f"{out(entry.get_kind_display())}, {out(_when(entry.occurred_at, context.use_tz))}"
        actor, agency = entry.actor, entry.agency
        if actor:
            meta += f", {out(actor.get_full_name() or actor.username)}"
        if agency:
            meta += f", from {out(agency.name)}"
        tags = VISIBILITY_TAGS.get(entry.visibility, "")
        if agency:
            tags += f' <strong class="govuk-tag govuk-tag--yellow">From {out(agency.name)}</strong>'
        body = f'<p class="app-timeline__body">{out(entry.body)}</p>' if entry.body else ""
        changes = ""
        if entry.changes and entry.kind == "edit" or entry.kind == "assignment":
            items = entry.changes.items() if isinstance(entry.changes, dict) else ()
            changes = '<ul class="govuk-list govuk-!-font-size-16">' + "".join(
                f'<li>{out(capfirst(field))}: {out(_part(values, 0) or "(blank)")} → {out(_part(values, 1) or "(blank)")}</li>'
                for field, values in items
            ) + "</ul>"
        html.append(
            f'\n    <li class="app-timeline__item{" app-timeline__item--internal" if internal else ""}">\n'
            f'      <p class="app-timeline__summary">{out(entry.summary)}</p>\n'
            f'      <p class="app-timeline__meta">{meta}.\n'
            f"        {tags}</p>\n"
            f"      {body}\n"
            f"      {changes}\n"
            "    </li>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above went through render_value_in_context)
