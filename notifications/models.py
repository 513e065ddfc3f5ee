"""The outbox: every outbound message, written in the sender's transaction and delivered later."""

from django.db import models


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    # Outstanding: still to be delivered.
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"  # claimed by a worker until lease_expires_at
    # Final.
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed permanently"


# What the relay still has to look at; the partial index below covers exactly these rows.
OUTSTANDING_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING)


class Message(models.Model):
    """One message to one address. Knows nothing of cases: `key` says what it is for."""

    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # Who asked for it, e.g. "report-ack:42". Unique, so a retry or a second sweep
    # can never queue the same message twice.
    key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The provider's own id for the sent message (GOV.UK Notify's notification id); blank for SMTP.
    provider_id = models.CharField(max_length=100, blank=True)
    # Dotted path to a Celery task the sender wants told (with the message id) if delivery fails for good.
    on_failure = models.CharField(max_length=200, blank=True)
    # A SENDING row belongs to the worker holding claim_token until lease_expires_at; after that the relay
    # may claim it again (the worker died). The token stops a late finisher overwriting the new claim's result.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="message_outstanding_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.key} → {self.to} ({self.status})"
