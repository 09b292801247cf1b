"""Writes on campaigns, their recipients and marketing opt-outs, in the current writing schema.

Campaign changes run under the campaign's lock, taken alone (``locks.campaign_lock``); sending one
recipient runs under that recipient's lock, taken alone (``locks.recipient_lock``), the message
sent while it is held and the row marked in the same transaction: a batch run twice sends each
message once. Starting to send snapshots the audience and enqueues the batches after commit
(``enqueue_on_commit``): a rolled-back start sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from saas.db.tenant import enqueue_on_commit
from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, ServiceUnavailable
from tenant_apps.accounts.addresses import normalize_email_or_none
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.emails.backends import SendGridRejected
from tenant_apps.writing.campaigns import selectors
from tenant_apps.writing.campaigns.access import ensure_can_manage_campaigns
from tenant_apps.writing.campaigns.content import build_message, render_campaign, sanitize_html
from tenant_apps.writing.campaigns.locks import campaign_lock, recipient_lock
from tenant_apps.writing.campaigns.models import (
    Campaign,
    CampaignAudience,
    CampaignRecipient,
    CampaignStatus,
    MarketingOptOut,
    OptOutSource,
    RecipientStatus,
)
from tenant_apps.writing.loyalty.models import LoyaltyTier

#: The longest subject, in characters.
MAX_SUBJECT = 200
#: The longest HTML or text body, in characters.
MAX_BODY = 200_000
#: The longest "inactive for N days".
MAX_INACTIVE_DAYS = 3650
#: Statuses a campaign may still be edited, scheduled or sent from.
OPEN_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
#: Statuses a campaign may be cancelled from.
CANCELLABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING)


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field: [message]})


def _content(*, subject: str, html: str, text: str) -> dict[str, str]:
    subject = " ".join((subject or "").split())
    if not subject:
        raise _invalid("subject", "A subject is required.")
    if len(subject) > MAX_SUBJECT:
        raise _invalid("subject", f"At most {MAX_SUBJECT} characters.")
    text = (text or "").strip()
    if not text:
        raise _invalid("text", "A plain-text version is required.")
    for name, value in (("text", text), ("html", html or "")):
        if len(value) > MAX_BODY:
            raise _invalid(name, f"At most {MAX_BODY} characters.")
    return {"subject": subject, "html": sanitize_html(html or ""), "text": text}


def _audience(*, audience: str, inactive_days: int | None, tier_slug: str | None) -> dict[str, Any]:
    if audience not in CampaignAudience.values:
        raise _invalid("audience", f"One of {', '.join(CampaignAudience.values)}.")
    if audience == CampaignAudience.INACTIVE_CLIENTS:
        if inactive_days is None or not 1 <= int(inactive_days) <= MAX_INACTIVE_DAYS:
            raise _invalid("inactive_days", f"Days from 1 to {MAX_INACTIVE_DAYS} for inactive clients.")
        return {"audience": audience, "inactive_days": int(inactive_days), "tier_slug": ""}
    if audience == CampaignAudience.TIER:
        if not tier_slug or not LoyaltyTier.objects.filter(slug=tier_slug).exists():
            raise _invalid("tier_slug", "The slug of one of the site's loyalty tiers.")
        return {"audience": audience, "inactive_days": None, "tier_slug": tier_slug}
    return {"audience": audience, "inactive_days": None, "tier_slug": ""}


def _ensure_status(campaign: Campaign, allowed: tuple[str, ...], doing: str) -> None:
    if campaign.status not in allowed:
        raise Conflict(
            f"A {campaign.status} campaign cannot be {doing}.",
            code=ErrorCode.INVALID_STATUS_TRANSITION,
            details={"status": campaign.status},
        )


def campaign_create(
    *,
    actor: Any,
    subject: str,
    text: str,
    audience: str,
    html: str = "",
    inactive_days: int | None = None,
    tier_slug: str | None = None,
) -> Campaign:
    """A draft campaign by admin ``actor``: ``subject`` (one line, at most ``MAX_SUBJECT``),
    ``html`` (sanitised, ``content.sanitize_html``), ``text`` (required), ``audience`` (a
    ``CampaignAudience``; ``inactive_days`` 1..``MAX_INACTIVE_DAYS`` for ``inactive_clients``,
    ``tier_slug`` an existing loyalty tier's slug for ``tier``; each ignored for the other
    audiences). Audited (``writing_campaign.created``).

    Raises ``PermissionDenied`` (403: not an admin), ``ApplicationError`` 400 ``validation_error``.
    """
    ensure_can_manage_campaigns(actor)
    fields = _content(subject=subject, html=html, text=text)
    fields.update(_audience(audience=audience, inactive_days=inactive_days, tier_slug=tier_slug))
    with transaction.atomic():
        campaign = Campaign.objects.create(created_by=actor, **fields)
        audit_record(actor=actor, verb="writing_campaign.created", target=campaign)
    return campaign


def campaign_update(*, actor: Any, campaign: Campaign, **values: Any) -> Campaign:
    """Change a draft or scheduled campaign's ``subject``, ``html``, ``text``, ``audience``,
    ``inactive_days``, ``tier_slug`` (only those given), by the rules of ``campaign_create``; audited
    (``writing_campaign.updated``, the changed fields). Under the campaign's lock.

    Raises ``PermissionDenied`` (403), ``ApplicationError`` 400 ``validation_error``, ``Conflict``
    409 ``invalid_status_transition`` (sending, sent or cancelled).
    """
    ensure_can_manage_campaigns(actor)
    with transaction.atomic():
        locked = campaign_lock(campaign.pk)
        _ensure_status(locked, OPEN_STATUSES, "edited")
        wanted: dict[str, Any] = {}
        if {"subject", "html", "text"} & values.keys():
            wanted.update(
                _content(
                    subject=values.get("subject", locked.subject),
                    html=values.get("html", locked.html),
                    text=values.get("text", locked.text),
                )
            )
        if {"audience", "inactive_days", "tier_slug"} & values.keys():
            wanted.update(
                _audience(
                    audience=values.get("audience", locked.audience),
                    inactive_days=values.get("inactive_days", locked.inactive_days),
                    tier_slug=values.get("tier_slug", locked.tier_slug),
                )
            )
        changes = apply_changes(locked, wanted)
        if changes:
            locked.save()
            audit_record(actor=actor, verb="writing_campaign.updated", target=locked, changes=changes)
    return locked


def campaign_preview(*, actor: Any, campaign: Campaign) -> dict[str, Any]:
    """What ``campaign`` would send now, for admin ``actor``: ``subject``, ``html``, ``text`` as the
    first recipient of the audience (by id; ``actor`` when the audience is empty) receives it,
    ``sample_email``, ``audience_size`` (users the audience names now), ``opted_out`` (of those,
    skipped), ``would_send`` (the difference). Writes nothing."""
    ensure_can_manage_campaigns(actor)
    users = selectors.campaign_audience(campaign)
    size = users.count()
    skipped = selectors.opted_out(users).count()
    sample = users.exclude(pk__in=selectors.opted_out(users).values("pk")).first() or actor
    rendered = render_campaign(campaign, email=sample.email, user=sample)
    return {
        "subject": rendered.subject,
        "html": rendered.html,
        "text": rendered.text,
        "sample_email": sample.email,
        "audience_size": size,
        "opted_out": skipped,
        "would_send": size - skipped,
    }


def campaign_send_test(*, actor: Any, campaign: Campaign) -> str:
    """Send ``campaign`` once to admin ``actor``'s own address, rendered for them, the subject
    prefixed ``[Test]``; nothing is recorded on the campaign. Returns the address. Raises
    ``PermissionDenied`` (403), ``ServiceUnavailable`` (503: the backend refused or is down)."""
    ensure_can_manage_campaigns(actor)
    rendered = render_campaign(campaign, email=actor.email, user=actor)
    message = build_message(rendered, to=actor.email)
    message.subject = f"[Test] {rendered.subject}"
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # the backend refused or is down: say so, not a 500
        raise ServiceUnavailable("The test message could not be sent.", code=ErrorCode.SERVER_ERROR) from exc
    return str(actor.email)


def campaign_schedule(*, actor: Any, campaign: Campaign, scheduled_at: datetime) -> Campaign:
    """Schedule (or reschedule) a draft or scheduled ``campaign`` for ``scheduled_at`` (aware, in
    the future); the beat task starts it once due (``campaigns_start_due``). Audited
    (``writing_campaign.scheduled``). Raises ``PermissionDenied`` (403), ``ApplicationError`` 400
    ``validation_error`` (not in the future), ``Conflict`` 409 ``invalid_status_transition``."""
    ensure_can_manage_campaigns(actor)
    if timezone.is_naive(scheduled_at):
        raise _invalid("scheduled_at", "A date and time with its time zone.")
    if scheduled_at <= timezone.now():
        raise _invalid("scheduled_at", "A moment in the future.")
    with transaction.atomic():
        locked = campaign_lock(campaign.pk)
        _ensure_status(locked, OPEN_STATUSES, "scheduled")
        changes = apply_changes(locked, {"status": CampaignStatus.SCHEDULED, "scheduled_at": scheduled_at})
        locked.save()
        audit_record(actor=actor, verb="writing_campaign.scheduled", target=locked, changes=changes)
    return locked


def campaign_cancel(*, actor: Any, campaign: Campaign) -> Campaign:
    """Cancel a draft, scheduled or sending ``campaign``; batches still queued then send nothing
    more (rows not sent yet stay ``pending``). Audited (``writing_campaign.cancelled``). Raises
    ``PermissionDenied`` (403), ``Conflict`` 409 ``invalid_status_transition`` (sent, cancelled)."""
    ensure_can_manage_campaigns(actor)
    with transaction.atomic():
        locked = campaign_lock(campaign.pk)
        _ensure_status(locked, CANCELLABLE_STATUSES, "cancelled")
        changes = apply_changes(locked, {"status": CampaignStatus.CANCELLED, "finished_at": timezone.now()})
        locked.save()
        audit_record(actor=actor, verb="writing_campaign.cancelled", target=locked, changes=changes)
    return locked


def campaign_send_now(*, actor: Any, campaign: Campaign) -> Campaign:
    """Start sending a draft or scheduled ``campaign`` now, for admin ``actor`` (``campaign_start``)."""
    ensure_can_manage_campaigns(actor)
    return campaign_start(pk=campaign.pk, actor=actor)


def _batches(ids: list[int]) -> list[list[int]]:
    size = max(1, int(settings.WRITING_CAMPAIGN_BATCH_SIZE))
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def campaign_start(*, pk: int, actor: Any = None) -> Campaign:
    """Start sending campaign ``pk`` (``actor``: the admin; ``None``: the beat task, which only
    starts a scheduled campaign whose time has come).

    Under the campaign's lock: snapshots its audience now into recipient rows (``pending``, or
    ``skipped`` for opted-out addresses), sets ``sending``, ``started_at`` and the counters, and
    after commit enqueues one ``campaign_send_batch_task`` per ``WRITING_CAMPAIGN_BATCH_SIZE``
    pending rows. An audience with nobody to mail is ``sent`` at once. Audited
    (``writing_campaign.started``). Raises ``NotFound`` (404), ``Conflict`` 409
    ``invalid_status_transition`` (not draft or scheduled, or, for the beat, not due).
    """
    from tenant_apps.writing.campaigns.tasks import campaign_send_batch_task

    with transaction.atomic():
        try:
            locked = campaign_lock(pk)
        except Campaign.DoesNotExist:
            raise NotFound("No such campaign.") from None
        _ensure_status(locked, OPEN_STATUSES if actor is not None else (CampaignStatus.SCHEDULED,), "sent")
        if actor is None and (locked.scheduled_at is None or locked.scheduled_at > timezone.now()):
            raise Conflict("Not due yet.", code=ErrorCode.INVALID_STATUS_TRANSITION, details={"status": locked.status})
        users = selectors.campaign_audience(locked)
        opted = set(selectors.opted_out(users).values_list("pk", flat=True))
        rows = [
            CampaignRecipient(
                campaign=locked,
                user_id=user_pk,
                email=email,
                status=RecipientStatus.SKIPPED if user_pk in opted else RecipientStatus.PENDING,
            )
            for user_pk, email in users.values_list("pk", "email")
        ]
        CampaignRecipient.objects.bulk_create(rows, batch_size=1000)
        now = timezone.now()
        locked.status = CampaignStatus.SENDING
        locked.started_at = now
        locked.recipients_count = len(rows)
        locked.skipped_count = len(opted)
        locked.sent_count = locked.failed_count = 0
        if not any(row.status == RecipientStatus.PENDING for row in rows):
            locked.status, locked.finished_at = CampaignStatus.SENT, now
        locked.save()
        audit_record(
            actor=actor,
            verb="writing_campaign.started",
            target=locked,
            changes={"recipients": [None, len(rows)], "skipped": [None, len(opted)]},
        )
        pending = list(
            CampaignRecipient.objects.filter(campaign=locked, status=RecipientStatus.PENDING)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        for batch in _batches(pending):
            enqueue_on_commit(campaign_send_batch_task, locked.pk, batch)
    return locked


def _send_one(campaign: Campaign, row_pk: int) -> str:
    """Send recipient ``row_pk`` if still pending, under its lock; returns its status after."""
    max_attempts = max(1, int(settings.WRITING_CAMPAIGN_MAX_ATTEMPTS))
    with transaction.atomic():
        row = recipient_lock(row_pk)
        if row.status != RecipientStatus.PENDING:
            return str(row.status)
        if selectors.is_opted_out(row.email):
            row.status = RecipientStatus.SKIPPED
            row.save(update_fields=["status"])
            return str(row.status)
        try:
            build_message(render_campaign(campaign, email=row.email, user=row.user), to=row.email).send()
        except (SendGridRejected, ValueError) as exc:  # the message itself is refused: no retry
            row.status, row.error = RecipientStatus.FAILED, str(exc)[:500]
            row.attempts += 1
        except Exception as exc:  # network, 5xx, 429: tried again by a later run of the batch
            row.attempts += 1
            row.error = str(exc)[:500] or type(exc).__name__
            if row.attempts >= max_attempts:
                row.status = RecipientStatus.FAILED
        else:
            row.status, row.sent_at, row.error = RecipientStatus.SENT, timezone.now(), ""
        row.save(update_fields=["status", "attempts", "error", "sent_at"])
        return str(row.status)


def campaign_send_batch(*, campaign_id: int, recipient_ids: list[int]) -> int:
    """Send the pending rows ``recipient_ids`` of campaign ``campaign_id`` (a ``sending`` one; any
    other status sends nothing), each in its own transaction under its lock: a row found no
    longer ``pending`` is left alone (sent by another run), one whose address has opted out since
    the snapshot is ``skipped``; a refused message is ``failed``, a transient failure stays
    ``pending`` until ``WRITING_CAMPAIGN_MAX_ATTEMPTS`` tries. Then recounts the campaign
    (``campaign_refresh``). Returns how many of the rows are still pending (the task runs them
    again later)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    pending = 0
    for row_pk in recipient_ids:
        campaign.refresh_from_db(fields=["status"])
        if campaign.status != CampaignStatus.SENDING:
            break
        if _send_one(campaign, row_pk) == RecipientStatus.PENDING:
            pending += 1
    campaign_refresh(campaign_id=campaign_id)
    return pending if campaign.status == CampaignStatus.SENDING else 0


def campaign_refresh(*, campaign_id: int) -> Campaign:
    """Recount campaign ``campaign_id``'s counters from its rows, under its lock; a ``sending``
    campaign with no pending row left becomes ``sent`` (``finished_at`` set)."""
    with transaction.atomic():
        locked = campaign_lock(campaign_id)
        counts = CampaignRecipient.objects.filter(campaign=locked).aggregate(
            total=Count("id"),
            sent=Count("id", filter=Q(status=RecipientStatus.SENT)),
            failed=Count("id", filter=Q(status=RecipientStatus.FAILED)),
            skipped=Count("id", filter=Q(status=RecipientStatus.SKIPPED)),
            pending=Count("id", filter=Q(status=RecipientStatus.PENDING)),
        )
        locked.recipients_count = counts["total"]
        locked.sent_count, locked.failed_count = counts["sent"], counts["failed"]
        locked.skipped_count = counts["skipped"]
        if locked.status == CampaignStatus.SENDING and counts["pending"] == 0:
            locked.status, locked.finished_at = CampaignStatus.SENT, timezone.now()
        locked.save()
    return locked


def campaigns_start_due() -> list[int]:
    """Start every scheduled campaign of the site whose time has come (``campaign_start`` by the
    beat); one already started meanwhile (an admin's "send now") is passed over. Returns the ids
    started."""
    started = []
    for pk in selectors.campaigns_due().values_list("pk", flat=True):
        try:
            campaign_start(pk=pk)
        except (Conflict, NotFound):
            continue
        started.append(pk)
    return started


# --- Marketing opt-outs ------------------------------------------------------------------------


def marketing_opt_out(
    *, email: str, source: str, user: Any = None, campaign: Campaign | None = None
) -> MarketingOptOut:
    """Record that ``email`` wants no campaign (idempotent: the address's row, created once, on its
    unique key). Batches not sent yet skip it."""
    address = normalize_email_or_none(email) or email.strip()
    row, _ = MarketingOptOut.objects.get_or_create(
        email=address, defaults={"source": source, "user": user, "campaign": campaign}
    )
    return row


def unsubscribe_with_token(*, token: str) -> str:
    """Opt out the address an unsubscribe link names (``tokens.read_unsubscribe_token``), with no
    login; idempotent. Returns the address. Raises ``NotFound`` (404: a bad or foreign token)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.writing.campaigns.tokens import read_unsubscribe_token

    email = read_unsubscribe_token(token)
    marketing_opt_out(email=email, source=OptOutSource.LINK, user=User.objects.filter(email=email).first())
    return email


def marketing_preference_set(*, user: Any, subscribed: bool) -> bool:
    """Set signed-in ``user``'s marketing preference: ``False`` opts their address out, ``True``
    removes the opt-out (whatever recorded it). Returns ``subscribed``."""
    if subscribed:
        MarketingOptOut.objects.filter(email=user.email).delete()
    else:
        marketing_opt_out(email=user.email, source=OptOutSource.PREFERENCE, user=user)
    return subscribed
