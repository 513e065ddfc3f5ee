"""JAG actions on the home pages: `{% jag_actions_panel %}` lists the signed-in user's open JAG actions (and, for a
partner lead, their agency's), soonest due first, in one query; `{% action_tag_words action as tag %}` gives the
words and colour of an action's status tag (a JagAction, or a PackAction from a meeting pack)."""

from django import template
from django.utils import timezone

from ..services.actions import action_status_words, actions_for_home

register = template.Library()


@register.simple_tag
def action_tag_words(action) -> tuple[str, str]:
    return action_status_words(action, timezone.localdate())


@register.inclusion_tag("jag/includes/home_actions.html", takes_context=True)
def jag_actions_panel(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"jag_actions": actions_for_home(user) if user is not None else []}
