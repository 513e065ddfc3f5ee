"""The access log: who opened which case file, downloaded which file, exported what.

Written for every view of a case file by a partner user and every export by anyone. Append-only:
the table's trigger (migration 0017) refuses UPDATE, and DELETE except inside `access_log_purge`.
"""

from datetime import datetime

from django.db import connection, transaction

from ..models import AccessEvent, AccessLogEntry, Case
from ..policy import agency_of, is_partner
from ..ratelimits import client_address


def access_record(*, user, event: AccessEvent, request=None, case: Case | None = None, detail: str = "") -> AccessLogEntry:
    """Log one access. `request` gives the client address (behind the proxy, as the rate limits read it)."""
    agency = agency_of(user) if is_partner(user) else None
    address = client_address(request) if request is not None else None
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username(),
        agency=agency,
        agency_name=agency.name if agency else "",
        case=case,
        case_reference=case.reference if case else "",
        event=event,
        detail=detail[:300],
        address=address or None,
    )


@transaction.atomic
def access_log_purge(*, before: datetime) -> int:
    """Delete entries older than `before` (the retention period); the only delete the trigger allows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL asb.access_log_purge = 'on'")
        try:
            deleted, _ = AccessLogEntry.objects.filter(at__lt=before).delete()
        finally:
            # SET LOCAL lasts to the end of the *outermost* transaction: switch it off again so a caller
            # that wrapped the purge in a larger transaction gets no delete permission from it.
            cursor.execute("SET LOCAL asb.access_log_purge = 'off'")
    return deleted
