"""Attacks on the writing campaigns app: non-admins and hotel's admin on golf's campaigns (IDOR),
mass assignment of a campaign's status, counts and author, HTML and header injection through a
campaign or a user's name, and an unsubscribe link bent to another address or site.

The site is ``golf`` with the people of ``make_writing``. The victim: an admin's draft whose text
carries ``SECRET``. Each attacker gets the answer every id gets (403 for signed-in non-admins, 401
anonymous, 404 on hotel), never the secret, and nothing changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.writing.campaigns.models import Campaign, MarketingOptOut
from tenant_apps.writing.campaigns.tokens import unsubscribe_token
from tests.api import error_code
from tests.factories import CampaignFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-campaign-secret-5d1e"
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", "sue", None]

#: (method, path with {pk}, body): every endpoint taking a campaign's id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/campaigns/{pk}/", None),
    ("patch", "/api/v1/campaigns/{pk}/", {"text": "owned"}),
    ("post", "/api/v1/campaigns/{pk}/preview/", {}),
    ("post", "/api/v1/campaigns/{pk}/send-test/", {}),
    ("post", "/api/v1/campaigns/{pk}/schedule/", {"scheduled_at": "2999-01-01T00:00:00Z"}),
    ("post", "/api/v1/campaigns/{pk}/send/", {}),
    ("post", "/api/v1/campaigns/{pk}/cancel/", {}),
    ("get", "/api/v1/campaigns/{pk}/recipients/", None),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> Campaign:
    with tenant_context(writing.tenant):
        return CampaignFactory(text=f"Draft {SECRET}")


def _unchanged(writing: Writing, victim: Campaign) -> None:
    with tenant_context(writing.tenant):
        found = Campaign.objects.get(pk=victim.pk)
        assert (found.status, found.text, found.recipients_count) == ("draft", f"Draft {SECRET}", 0)
    assert mail.outbox == []


@pytest.mark.parametrize("who", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_non_admins_reach_no_campaign(
    writing: Writing, victim: Campaign, who: str | None, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # when: the victim's id, and an id that does not exist
    answers = []
    for pk in (victim.pk, 987_654_321):
        response = getattr(writing.client(who), method)(path.format(pk=pk), body, format="json")
        answers.append((response.status_code, error_code(response)))
        assert SECRET not in response.content.decode()
    # then: the same answer for both
    assert answers[0] == answers[1] == ((401, "not_authenticated") if who is None else (403, "permission_denied"))
    _unchanged(writing, victim)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_hotels_admin_reaches_no_golf_campaign(
    writing: Writing,
    victim: Campaign,
    hotel: Tenant,
    client_for: ClientFor,
    login: Login,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given
    other = make_writing(hotel, client_for, login)
    with tenant_context(hotel):
        assert not Campaign.objects.filter(pk=victim.pk).exists()
    # when
    response = getattr(other.client("admin"), method)(path.format(pk=victim.pk), body, format="json")
    # then
    assert (response.status_code, error_code(response)) == (404, "not_found")
    _unchanged(writing, victim)


def test_mass_assignment_of_status_counts_and_author_is_ignored(writing: Writing) -> None:
    # when: a create carrying what the server decides
    response = writing.client("admin").post(
        "/api/v1/campaigns/",
        {
            "subject": "Hi",
            "text": "Hello.",
            "audience": "all_clients",
            "status": "sent",
            "scheduled_at": "2000-01-01T00:00:00Z",
            "recipients_count": 999,
            "sent_count": 999,
            "created_by": writing.cleo.pk,
            "id": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    # and a patch that tries the same
    writing.client("admin").patch(
        f"/api/v1/campaigns/{pk}/", {"status": "sending", "sent_count": 5, "started_at": "2000-01-01T00:00:00Z"}
    )
    # then: stored as a draft by the admin, no counts, never started
    with tenant_context(writing.tenant):
        found = Campaign.objects.get(pk=pk)
        assert (found.status, found.scheduled_at, found.started_at) == ("draft", None, None)
        assert (found.recipients_count, found.sent_count, found.created_by_id) == (0, 0, writing.admin.pk)


def test_injection_through_the_campaign_or_a_name_reaches_no_message(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: cleo's name is markup; the subject carries a header line; the html a script and handler
    with tenant_context(writing.tenant):
        User.objects.filter(pk=writing.cleo.pk).update(full_name='<img src=x onerror="alert(1)"> Cleo')
    made = (
        writing.client("admin")
        .post(
            "/api/v1/campaigns/",
            {
                "subject": "Hi {{ first_name }}\r\nBcc: thief@evil.example",
                "html": '<p>Dear {{ full_name }}</p><script>steal()</script><img src="x" onerror="steal()">',
                "text": "Dear {{ full_name }}",
                "audience": "all_clients",
            },
            format="json",
        )
        .json()
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        writing.client("admin").post(f"/api/v1/campaigns/{made['id']}/send/")
    # then: one line of subject, no extra recipient, the name escaped, no script or handler
    [message] = [m for m in mail.outbox if writing.cleo.email in m.to]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.to == [writing.cleo.email] and not message.bcc and not message.cc
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert "<script" not in html and "steal()" not in html
    assert "onerror" not in html.replace("onerror=&quot;", "")
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Cleo" in html
    assert all("thief" not in a for m in mail.outbox for a in m.recipients())


def test_an_unsubscribe_link_cannot_be_bent_to_another_address(writing: Writing) -> None:
    # given: cleo's link
    with tenant_context(writing.tenant):
        path = f"/api/v1/unsubscribe/{unsubscribe_token(writing.cleo.email)}/"
    # when: posted with carl's address in the body, as form and JSON
    writing.client(None).post(path, {"email": writing.carl.email}, format="json")
    writing.client(None).post(path, {"email": writing.carl.email})
    # and carl's preference set with cleo's address in the body
    writing.client("carl").put(
        "/api/v1/marketing-preference/", {"subscribed": False, "email": writing.wren.email}, format="json"
    )
    # then: cleo (the link's) and carl (his own), never wren
    with tenant_context(writing.tenant):
        assert set(MarketingOptOut.objects.values_list("email", flat=True)) == {writing.cleo.email, writing.carl.email}
