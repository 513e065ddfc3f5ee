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


@register.filter
def told_by(application) -> str:
    """How the applicant is told ("email", "text", "phone" or "letter"): casereview.services.stages.delivery_method,
    which asks cases.contact_rules (the one place the preferred contact method is read)."""
    from ..services.stages import delivery_method

    return delivery_method(application)


@register.filter
def message_channel(application) -> str:
    """"email" or "text" when a message can reach the applicant as they asked, else "" (cases.contact_rules)."""
    from cases.contact_rules import message_channel_for

    return message_channel_for(application) or ""
