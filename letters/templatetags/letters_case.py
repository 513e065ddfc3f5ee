"""The case page's letters and notices panel (cases never imports letters; its template loads this tag):
`{% load letters_case %}{% letters_case case %}`. Shown only to users who work cases; anyone else gets nothing."""

from django import template

from cases.policy import Can, can

from ..selectors import case_documents

register = template.Library()

PANEL_ROWS = 5


@register.inclusion_tag("letters/documents/_panel.html", takes_context=True)
def letters_case(context, case):
    """The case's latest letters and notices (one query, whatever the case holds), and links to the rest and to
    create one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can(user, Can.WORK_CASES):
        return {"hidden": True}
    rows = list(case_documents(user, case)[:PANEL_ROWS + 1])
    more = len(rows) > PANEL_ROWS
    return {"case": case, "documents": rows[:PANEL_ROWS], "more": more, "hidden": False}
