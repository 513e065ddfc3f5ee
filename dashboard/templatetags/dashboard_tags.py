"""The dashboard's long tables written in Python: a county's workload table has a row per officer (about 1,000), and
a {% url %} and four localised numbers per row through the template engine cost more than every query on the page."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()

CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'


@register.simple_tag
def workload_rows(rows) -> str:
    """The workload table's body rows (dashboard.selectors.workload): the same HTML the template loop wrote."""
    if not rows:
        return mark_safe('<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="4">No open cases</td></tr>')
    cases = escape(reverse("staff:cases"))
    out = []
    for row in rows:
        if row["officer"]:
            link = f'<a class="govuk-link" href="{cases}?status=open_any&amp;officer={int(row["officer"])}">{escape(row["name"])}</a>'
        else:
            link = f'<a class="govuk-link" href="{cases}?status=open_any&amp;officer=null">Unassigned</a>'
        numbers = "".join(CELL.format(int(row[key])) for key in ("open", "high", "overdue"))
        out.append(f'<tr class="govuk-table__row"><td class="govuk-table__cell">{link}</td>{numbers}</tr>')
    return mark_safe("".join(out))  # noqa: S308 (names escaped, numbers are ints)
