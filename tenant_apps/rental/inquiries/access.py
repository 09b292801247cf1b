"""Who may see and change an inquiry: ``can_*`` predicates, the scope every read starts from
(``inquiries_visible_to``) and the checked fetch of one inquiry (``access_inquiry``).

* The site's admins see and change every inquiry (a role check).
* Customer-service agents see the unassigned queue (status ``new``, a role check) and, through
  django-guardian object permissions, the inquiries assigned to them: ``inquiries.view_inquiry``
  and ``inquiries.change_inquiry``, granted on assignment and taken back when the inquiry is
  assigned to another agent. Another agent's inquiry answers 404.
* The signed-in author holds view and change on what they opened (granted by ``inquiry_open``).
* Hosts get nothing for being hosts: an inquiry about their property is between its author and the
  site (it may be a complaint about them); a host sees the inquiries they authored, like anybody.
* Visitors (anonymous authors) have no account: they see nothing through the API and get the
  answers by e-mail.

Whoever may not see an inquiry gets 404 ``not_found``, exactly as for one that does not exist.
Model-level (global) inquiry permissions are ignored, as for tickets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from saas.errors import ApplicationError, NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.rental.inquiries import transitions
from tenant_apps.rental.inquiries.locks import inquiry_lock
from tenant_apps.rental.inquiries.models import Inquiry, InquiryStatus
from tenant_apps.rental.kind import CUSTOMER_SERVICE

VIEW = "view_inquiry"
CHANGE = "change_inquiry"
PARTICIPANT_PERMS = (VIEW, CHANGE)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user: Any) -> bool:
    """Whether ``user`` is an active admin of the current site."""
    return _active(user) and user_has_role(user, ADMIN)


def is_agent(user: Any) -> bool:
    """Whether ``user`` is an active customer-service agent of the current site."""
    return _active(user) and user_has_role(user, CUSTOMER_SERVICE)


def can_assign_inquiries(user: Any) -> bool:
    """Whether ``user`` may use the assign endpoint at all: admins (anyone to any agent) and agents
    (themselves, from the queue only; ``services.inquiry_assign`` checks the rest)."""
    return is_admin(user) or is_agent(user)


def _has_object_perm(user: Any, codename: str, inquiry: Inquiry) -> bool:
    if not _active(user):
        return False
    return ObjectPermissionChecker(user).has_perm(codename, inquiry)


def can_view_inquiry(user: Any, inquiry: Inquiry) -> bool:
    """Whether ``user`` may see ``inquiry`` (admin; agent on the queue; guardian ``view_inquiry``)."""
    if is_admin(user):
        return True
    if inquiry.status == InquiryStatus.NEW and is_agent(user):
        return True
    return _has_object_perm(user, VIEW, inquiry)


def can_change_inquiry(user: Any, inquiry: Inquiry) -> bool:
    """Whether ``user`` may write on ``inquiry`` (post a message): an admin, or guardian
    ``change_inquiry`` (its author and its assigned agent)."""
    return is_admin(user) or _has_object_perm(user, CHANGE, inquiry)


def parties_of(user: Any, inquiry: Inquiry) -> frozenset[str]:
    """What ``user`` is to ``inquiry`` for the transition table (``transitions.ADMIN``, ``AGENT``,
    ``QUEUE_AGENT``, ``AUTHOR``); empty for anybody else."""
    if not _active(user):
        return frozenset()
    parties: set[str] = set()
    if is_admin(user):
        parties.add(transitions.ADMIN)
    if is_agent(user):
        if inquiry.assigned_to_id == user.pk:
            parties.add(transitions.AGENT)
        if inquiry.status == InquiryStatus.NEW:
            parties.add(transitions.QUEUE_AGENT)
    if inquiry.created_by_id is not None and inquiry.created_by_id == user.pk:
        parties.add(transitions.AUTHOR)
    return frozenset(parties)


def grant_participant(user: Any, inquiry: Inquiry) -> None:
    """Give ``user`` view and change on ``inquiry`` (idempotent). Call inside the service's transaction."""
    for codename in PARTICIPANT_PERMS:
        assign_perm(f"inquiries.{codename}", user, inquiry)


def revoke_participant(user: Any, inquiry: Inquiry) -> None:
    """Take view and change on ``inquiry`` away from ``user`` (idempotent)."""
    for codename in PARTICIPANT_PERMS:
        remove_perm(f"inquiries.{codename}", user, inquiry)


def inquiries_visible_to(user: Any) -> QuerySet[Inquiry]:
    """The inquiries ``user`` may see: all for admins; for agents the queue (``new``) plus those
    guardian grants them ``view_inquiry`` on; for everyone else those guardian grants them (the
    ones they opened). Anonymous and inactive users: none."""
    if not _active(user):
        return Inquiry.objects.none()
    if is_admin(user):
        return Inquiry.objects.all()
    granted = get_objects_for_user(
        user,
        f"inquiries.{VIEW}",
        klass=Inquiry.objects.all(),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
    if is_agent(user):
        return Inquiry.objects.filter(Q(status=InquiryStatus.NEW) | Q(pk__in=granted.values("pk")))
    return granted


def access_inquiry(*, user: Any, inquiry_id: Any, lock: bool = False) -> Inquiry:
    """The inquiry ``inquiry_id`` checked for ``user``: ``not_found`` (404) if they may not see it (or
    it does not exist). ``lock=True`` returns the row locked (``locks.inquiry_lock``): call it
    inside the service's transaction, before reading the state you are about to change."""
    pk = inquiry_pk(inquiry_id)
    try:
        inquiry: Inquiry | None = inquiry_lock(pk) if lock else Inquiry.objects.get(pk=pk)
    except Inquiry.DoesNotExist:
        inquiry = None
    if inquiry is None or not can_view_inquiry(user, inquiry):
        raise _not_found()
    return inquiry


def access_inquiry_detail(*, user: Any, inquiry_id: Any) -> Inquiry:
    """The inquiry ``inquiry_id`` with people and links loaded (``selectors.inquiry_list``), if
    ``user`` may see it; ``not_found`` (404) otherwise."""
    from tenant_apps.rental.inquiries import selectors  # the answer's shape; selectors import this module

    inquiry = selectors.inquiry_list(user=user).filter(pk=inquiry_pk(inquiry_id)).first()
    if inquiry is None:
        raise _not_found()
    return inquiry


def inquiry_pk(inquiry_id: Any) -> int:
    """``inquiry_id`` (from a URL) as a primary key; ``not_found`` (404) unless a positive 64-bit integer."""
    try:
        pk = int(inquiry_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    if not 0 < pk < 2**63:
        raise _not_found()
    return pk


def _not_found() -> ApplicationError:
    return NotFound("No such inquiry.")
