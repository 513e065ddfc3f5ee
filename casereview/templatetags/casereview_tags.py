"""Template tags for the Case Review on pages `cases` draws (cases never imports casereview): the case page's
threshold banner."""

from django import template

from ..selectors_threshold import case_flag

register = template.Library()


@register.simple_tag
def case_threshold_flag(case):
    """The case's open threshold flag, else the last one closed, or None (one query). The case page calls it only for
    council staff who see Case Reviews."""
    return case_flag(case)
