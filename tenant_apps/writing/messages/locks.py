"""Row locks of the writing messages app (see ``docs/architecture.md``, "Locks in one order").

* The settings row (``settings_lock``) is taken alone, by ``services.message_settings_update``.
* Posting a message locks nothing: it adds rows (the message, its stored files, notifications)
  and changes none; it reads the settings without a lock, so a message is masked by the settings
  as they were when it was written.
"""

from __future__ import annotations

from tenant_apps.writing.messages.models import MessageSettings


def settings_lock() -> MessageSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return MessageSettings.objects.select_for_update(no_key=True).get(pk=1)
