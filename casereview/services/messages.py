"""A message to an applicant that could not be delivered goes on the application's history (once), so the single
point of contact knows to reach them another way."""

import re

from django.db import transaction

from notifications.models import Message, MessageStatus

from ..models import Application, ApplicationEvent
from .common import event_add

# Every message to an applicant has a key "cr-<what>:<application id>[:…]" (cr-ack:12, cr-spoc:12:3:sms, …).
KEY = re.compile(r"^cr-[a-z-]+:(\d+)(?::|$)")


def _marker(message: Message) -> str:
    return f"(message {message.pk})"


@transaction.atomic
def message_failure_record(*, message_id: int) -> bool:
    message = Message.objects.filter(pk=message_id, status=MessageStatus.FAILED).first()
    match = KEY.match(message.key) if message else None
    application = Application.objects.filter(pk=int(match.group(1))).first() if match else None
    if application is None:
        return False
    if ApplicationEvent.objects.filter(application=application, summary__endswith=_marker(message)).exists():
        return False
    what = f" ({message.subject[:150]})" if message.subject else ""
    event_add(application=application, summary=(f"{message.get_channel_display()} to the applicant could not be delivered"
                                                 f"{what}; reach them another way {_marker(message)}"))
    return True
