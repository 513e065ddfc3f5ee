"""Template tags for retention: the case page's legal-hold line (cases templates include it; cases never imports privacy)."""

from django import template

from ..selectors import holds_active

register = template.Library()


@register.simple_tag
def active_case_hold(case):
    """The legal hold on this case itself, if one is in place (one query)."""
    return holds_active().filter(case=case).select_related("placed_by").first()
