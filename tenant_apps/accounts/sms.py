"""Pluggable SMS senders for one-time codes, chosen by the ``SMS_BACKEND`` setting.

A sender is a class with ``send(phone: str, message: str) -> None``. ``ConsoleSMSBackend``
(development) logs the message; ``LocmemSMSBackend`` (tests) keeps it in ``outbox``. A real
provider is a subclass of ``BaseSMSBackend`` named in ``SMS_BACKEND``.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSMSBackend:
    """Sends one text message to one E.164 phone number; raises on failure."""

    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Logs messages instead of sending them (development)."""

    def send(self, phone: str, message: str) -> None:
        logger.warning("SMS to %s: %s", phone, message)
        print(f"[sms] to {phone}: {message}", flush=True)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in ``LocmemSMSBackend.outbox`` as ``(phone, message)`` pairs (tests)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def send_sms(phone: str, message: str) -> None:
    """Send ``message`` to ``phone`` through the configured ``SMS_BACKEND``."""
    backend: BaseSMSBackend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, message)
