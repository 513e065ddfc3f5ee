"""Delivery backends: how one message leaves the building (Django's email backend or GOV.UK Notify).

A backend has one method, `send(message) -> provider_id | None`. It raises PermanentDeliveryError
when retrying cannot help (bad address, message refused) and any other exception when it might
(network, provider 5xx, 429 rate limit, a configuration an operator can fix).
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from .models import Message, MessageChannel

logger = logging.getLogger(__name__)

# Notify answers in well under a second; a stuck request must not hold the message's row lock for long.
NOTIFY_TIMEOUT_SECONDS = 10


class PermanentDeliveryError(Exception):
    """The provider refused the message for good (bad address, invalid request): do not retry."""


class DeliveryBackend(Protocol):
    def send(self, message: Message) -> str | None: ...


class DjangoEmailBackend:
    """Email through Django's configured EMAIL_BACKEND (SMTP in production, locmem in tests)."""

    def send(self, message: Message) -> str | None:
        if message.channel != MessageChannel.EMAIL:
            raise PermanentDeliveryError(f"Django's email backend cannot send {message.channel!r} messages")
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to], fail_silently=False)
        return None


class NotifyBackend:
    """Email and text messages through GOV.UK Notify.

    Our wording stays in our own Django templates. Notify holds one generic template per channel:
    the email template's subject is ((subject)) and its body ((body)); the text message template's
    body is ((body)). Their ids are NOTIFY_EMAIL_TEMPLATE_ID and NOTIFY_SMS_TEMPLATE_ID.
    """

    def __init__(self) -> None:
        self.api_key = settings.NOTIFY_API_KEY
        self.base_url = settings.NOTIFY_BASE_URL
        self.template_ids = {
            MessageChannel.EMAIL: settings.NOTIFY_EMAIL_TEMPLATE_ID,
            MessageChannel.SMS: settings.NOTIFY_SMS_TEMPLATE_ID,
        }

    def send(self, message: Message) -> str | None:
        template_id = self.template_ids.get(message.channel)
        if template_id is None:
            raise PermanentDeliveryError(f"GOV.UK Notify cannot send {message.channel!r} messages")
        if not self.api_key or not template_id:
            # Not permanent: an operator can set the variable and the retries then go through.
            raise ImproperlyConfigured(
                f"GOV.UK Notify needs NOTIFY_API_KEY and a template id for {message.channel} messages"
            )
        # A client per send: the client keeps a requests.Session and is not thread-safe.
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=NOTIFY_TIMEOUT_SECONDS)
        try:
            if message.channel == MessageChannel.EMAIL:
                response = client.send_email_notification(
                    email_address=message.to,
                    template_id=template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.key,
                )
            else:
                response = client.send_sms_notification(
                    phone_number=message.to,
                    template_id=template_id,
                    personalisation={"body": message.body},
                    reference=message.key,
                )
        except HTTPError as exc:
            # The client turns network failures into HTTPError 503 too, so they stay temporary.
            # 400 is a validation error (invalid number or address, trial-mode recipient): final.
            # 403 is a bad key: an operator's fix, so keep retrying with backoff until then.
            if exc.status_code == 400:
                raise PermanentDeliveryError(f"GOV.UK Notify refused the message: {_notify_errors(exc)}") from exc
            if exc.status_code == 403:
                logger.error("GOV.UK Notify refused our API key (403): check NOTIFY_API_KEY. %s", _notify_errors(exc))
            raise
        return response["id"]


def _notify_errors(exc: HTTPError) -> str:
    # Notify answers {"status_code": 400, "errors": [{"error": "ValidationError", "message": "…"}]}.
    errors = exc.message
    if isinstance(errors, list):
        return "; ".join(
            str(error.get("message", error)) if isinstance(error, dict) else str(error) for error in errors
        )
    return str(errors)


def backend_for(channel: str) -> DeliveryBackend:
    """The backend for a channel: email per NOTIFICATIONS_EMAIL_BACKEND; text messages only through Notify."""
    if channel == MessageChannel.EMAIL:
        choice = settings.NOTIFICATIONS_EMAIL_BACKEND
        if choice == "django":
            return DjangoEmailBackend()
        if choice == "notify":
            return NotifyBackend()
        raise ImproperlyConfigured(f"NOTIFICATIONS_EMAIL_BACKEND must be 'django' or 'notify', not {choice!r}")
    if channel == MessageChannel.SMS:
        if not settings.NOTIFY_API_KEY:
            raise PermanentDeliveryError("Text messages need GOV.UK Notify: set NOTIFY_API_KEY")
        return NotifyBackend()
    raise PermanentDeliveryError(f"No delivery backend for channel {channel!r}")
