"""What the case file records about messages: a permanent failure goes on the case's timeline."""

from django.db import transaction

from notifications.models import Message, MessageStatus

from ..models import Deadline, Report, ResidentLink, TimelineKind, Visibility
from .common import timeline_add


def _case_for(key: str):
    """The case a message was about, from its key (report-ack:<report>, report-ack-sms:<report>, deadline:<id>:…,
    resident-update:<link>:…, resident-link:<link>)."""
    prefix, _, rest = key.partition(":")
    ident = rest.split(":")[0]
    if not ident.isdigit():
        return None
    if prefix in ("report-ack", "report-ack-sms"):
        report = Report.objects.select_related("case").filter(pk=int(ident)).first()
        return report.case if report else None
    if prefix in ("resident-update", "resident-link"):
        link = ResidentLink.objects.select_related("case").filter(pk=int(ident)).first()
        return link.case if link else None
    if prefix == "deadline":
        deadline = Deadline.objects.select_related("case").filter(pk=int(ident)).first()
        return deadline.case if deadline else None
    return None


@transaction.atomic
def message_failure_record(*, message_id: int) -> bool:
    """Put a permanently failed message on its case's timeline (once), so the officer can contact them another way."""
    message = Message.objects.filter(pk=message_id, status=MessageStatus.FAILED).first()
    case = _case_for(message.key) if message else None
    if case is None:
        return False
    if case.timeline.filter(kind=TimelineKind.MESSAGE, changes__message=message.pk).exists():
        return False
    timeline_add(
        case=case,
        actor=None,
        kind=TimelineKind.MESSAGE,
        summary=f"{message.get_channel_display()} to {message.to} could not be delivered",
        body=f"{message.subject}\n\n{message.last_error}".strip(),
        changes={"message": message.pk},
        visibility=Visibility.STAFF,
    )
    return True
