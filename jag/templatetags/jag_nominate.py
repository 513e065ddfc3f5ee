"""Template tags for JAG links on pages other apps draw (cases never imports jag): the case page's "Nominate for
JAG" link to the next scheduled meeting of each group the user may see."""

from django import template
from django.utils import timezone

from ..models import Meeting, MeetingStatus
from ..selectors import groups_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def jag_next_meetings(context) -> list[Meeting]:
    """The next scheduled meeting (today or later) of each active group the signed-in user may see, in one query.
    The case page calls it only for users who may nominate (can.nominate_for_jag)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(Meeting.objects.filter(group__in=groups_visible_to(user).filter(is_active=True),
                                       status=MeetingStatus.SCHEDULED, opened_at__isnull=True, closed_at__isnull=True,
                                       held_on__gte=timezone.localdate())
                .select_related("group").order_by("group_id", "held_on", "id").distinct("group_id"))
