"""Login sessions that end after the site's idle timeout, so a front end can warn and log out.

A **session** is what one login starts: every token pair issued by a login (password, one-time
code, registration, password change) carries a random session id, the ``sid`` claim, which the
access tokens it mints copy and refresh rotation keeps (simplejwt copies every claim but ``exp``,
``iat`` and ``jti``). Tokens issued without the claim (before this existed) have no idle timeout.

* **Activity** is kept in the tenant cache (Redis in production; keys carry the schema), never in
  the database: ``{"last": <epoch seconds>}`` under ``accounts:session:<sid>``. Every authenticated
  API request and every refresh extends it (at most one write per ``TOUCH_EVERY_SECONDS``);
  ``GET /api/v1/auth/session/`` reads it without extending it.
* **Expiry**: a session whose last activity is more than the idle timeout ago is over: its refresh
  token and its access tokens answer 401 ``session_expired``. The last activity is never taken to be
  earlier than the presented token's ``iat`` (issuing it was activity), so a lost cache entry (Redis
  flushed or down: reads fail soft) never ends a live session, and never revives an idle one for
  longer than that token's own age allows.
* **Logout** ends the session at once: the entry becomes ``{"ended": true}`` (its refresh token is
  blacklisted too, ``services.token_logout``).
* **The timeout** is the site's ``AuthSettings.session_idle_timeout_minutes``, or the platform's
  ``SESSION_IDLE_TIMEOUT_MINUTES`` when the site set none; ``0`` is off. It is cached per site
  (``accounts:auth-settings``), so a request in steady state runs no query for it; a change
  drops the cached value (``services.auth_settings_update``).
* **Redis down**: reads answer a miss (``saas.cache``), so the last activity falls back to the
  token's ``iat``; the writes of activity and logout are best effort here (``_store``: a failure is
  logged and the request goes on), so an outage neither logs everyone out nor answers 500. During
  one, each request reads the site's timeout from the database (one query), and a logged-out
  session's access tokens live on until they expire (``JWT_ACCESS_MINUTES``), as
  they did before sessions; its refresh token is blacklisted in the database all the same.
* **The clock** is the one JWTs are checked with (simplejwt's ``aware_utcnow``, the wall clock),
  not ``django.utils.timezone.now``: moving the site's clock in a test (``tests/factories/base.py``
  ``at``) expires no session, as it expires no token.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings

from saas.errors import ErrorCode

logger = logging.getLogger(__name__)

#: The claim naming a token's login session.
SESSION_CLAIM = "sid"
#: An active session's activity is written at most this often (seconds), not on every request.
TOUCH_EVERY_SECONDS = 10
_SETTINGS_KEY = "accounts:auth-settings"
#: How long the cached site setting is kept (seconds); a change drops it at once anyway.
_SETTINGS_TTL = 3600


def wall_clock() -> datetime:
    """Now, by the clock token lifetimes are checked with (not the site clock tests move)."""
    return datetime.now(tz=UTC)


def _key(sid: str) -> str:
    return f"accounts:session:{sid}"


def _store(key: str, value: dict[str, Any], timeout: int) -> None:
    """``cache.set``, best effort: a Redis failure is logged (the cache's breaker logs outages
    once) and the request goes on."""
    try:
        cache.set(key, value, timeout)
    except redis.RedisError as exc:
        logger.info("session cache write skipped: %s: %s", exc.__class__.__name__, exc)


def _entry_ttl() -> int:
    """Seconds a session's entry is kept: as long as its refresh token could be used, so a site's
    longer timeout applies to sessions already open."""
    return int(api_settings.REFRESH_TOKEN_LIFETIME.total_seconds())


@dataclass(frozen=True)
class SessionStatus:
    """Where a session stands: ``idle_timeout_seconds`` (0: no timeout), ``expires_at`` (aware
    UTC, ``None`` without a timeout or for a token without a session)."""

    idle_timeout_seconds: int
    expires_at: datetime | None

    def expires_in_seconds(self, now: datetime) -> int | None:
        """Whole seconds from ``now`` until the session expires (0 at the latest), or ``None``."""
        if self.expires_at is None:
            return None
        return max(0, int((self.expires_at - now).total_seconds()))


def site_idle_timeout_minutes() -> int | None:
    """The site's own idle timeout (``AuthSettings``), ``None`` when it follows the platform
    default; read from the cache, from the database (one query) on a miss."""
    cached = cache.get(_SETTINGS_KEY)
    if isinstance(cached, dict):
        return cached.get("minutes")
    return _load_site_minutes()


def _load_site_minutes() -> int | None:
    from tenant_apps.accounts.models import AuthSettings

    minutes = AuthSettings.objects.filter(pk=1).values_list("session_idle_timeout_minutes", flat=True).first()
    _store(_SETTINGS_KEY, {"minutes": minutes}, _SETTINGS_TTL)
    return minutes


def forget_site_settings() -> None:
    """Drop the cached site setting (after it changed). Raises ``redis.RedisError`` when Redis
    fails: a change whose old value would stay cached is refused rather than made."""
    cache.delete(_SETTINGS_KEY)


def forget_site_settings_after_commit() -> None:
    """``forget_site_settings`` once the change is committed (a request in between may have cached
    the old row again); best effort, as it runs after the answer is decided."""
    transaction.on_commit(forget_site_settings, robust=True)


def _timeout_seconds(site_minutes: int | None) -> int:
    minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES if site_minutes is None else site_minutes
    return max(0, int(minutes)) * 60


def idle_timeout_seconds() -> int:
    """The idle timeout of the current site in seconds (0: off)."""
    return _timeout_seconds(site_idle_timeout_minutes())


def session_start() -> str:
    """A new session id, its activity recorded as now (called when a login issues a token pair).

    Reads the site's timeout too, so the requests of the session find it cached."""
    site_idle_timeout_minutes()
    sid = secrets.token_hex(16)
    _store(_key(sid), {"last": wall_clock().timestamp()}, _entry_ttl())
    return sid


def session_end(token: Any) -> None:
    """End ``token``'s session (logout): its access tokens, and any refresh token of it, answer
    401 ``session_expired`` from now on. A token without a session: nothing to do."""
    sid = token.payload.get(SESSION_CLAIM)
    if isinstance(sid, str) and sid:
        _store(_key(sid), {"ended": True}, _entry_ttl())


def _expired(message: Any) -> AuthenticationFailed:
    return AuthenticationFailed(message, code=ErrorCode.SESSION_EXPIRED)


def session_check(token: Any, *, touch: bool) -> SessionStatus:
    """Where ``token``'s session stands; with ``touch``, this use counts as activity.

    Raises ``AuthenticationFailed`` 401 ``session_expired`` when the session was ended (logout)
    or has been idle longer than the site's timeout. A token without a session claim passes,
    with ``expires_at`` ``None``. One cache read (two on a cold settings cache, and then one
    query), at most one cache write.
    """
    sid = token.payload.get(SESSION_CLAIM)
    if not isinstance(sid, str) or not sid:
        return SessionStatus(idle_timeout_seconds=idle_timeout_seconds(), expires_at=None)
    found = cache.get_many([_key(sid), _SETTINGS_KEY])
    entry = found.get(_key(sid))
    cached_settings = found.get(_SETTINGS_KEY)
    site_minutes = cached_settings.get("minutes") if isinstance(cached_settings, dict) else _load_site_minutes()
    timeout = _timeout_seconds(site_minutes)
    if isinstance(entry, dict) and entry.get("ended"):
        raise _expired(_("This session has ended. Log in again."))
    last = float(token.payload.get("iat") or 0)
    if isinstance(entry, dict) and isinstance(entry.get("last"), int | float):
        last = max(last, float(entry["last"]))
    now = wall_clock()
    if timeout == 0:
        return SessionStatus(idle_timeout_seconds=0, expires_at=None)
    if now.timestamp() - last > timeout:
        raise _expired(_("The session expired after a time without activity. Log in again."))
    if touch and now.timestamp() - last >= TOUCH_EVERY_SECONDS:
        _store(_key(sid), {"last": now.timestamp()}, _entry_ttl())
        last = now.timestamp()
    return SessionStatus(
        idle_timeout_seconds=timeout,
        expires_at=datetime.fromtimestamp(last, tz=UTC) + timedelta(seconds=timeout),
    )
