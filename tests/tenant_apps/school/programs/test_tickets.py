"""Tickets about a bootcamp or a course: the programs are registered ticket targets, a student
may link the programs they can see, and support is e-mailed about the new ticket."""

from __future__ import annotations

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.fixture_types import MakeProgram
from tests.tenant_apps.school.programs.conftest import Site


@pytest.mark.parametrize(
    ("path", "target_type"), [("bootcamps", "programs.bootcamp"), ("courses", "programs.advancedcourse")]
)
def test_a_ticket_about_a_program_is_created_and_support_is_emailed(
    site: Site,
    make_program: MakeProgram,
    path: str,
    target_type: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    program = make_program(type=path, title="Python Web")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = site.client("ann").post(
            "/api/v1/tickets/",
            {
                "subject": "Which laptop do I need?",
                "body": "For the first week.",
                "target": {"type": target_type, "id": str(program.pk)},
            },
        )
    # then
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["target"] == {"type": target_type, "id": str(program.pk)}
    to_support = [m for m in mail.outbox if m.to == ["sue@alpha.test"]]
    assert [m.subject for m in to_support] == [f"New ticket #{ticket['id']}: Which laptop do I need?"]
    assert f"{target_type}:{program.pk}" in to_support[0].body


def test_a_student_cannot_link_a_draft_program(site: Site, make_program: MakeProgram) -> None:
    # given
    draft = make_program("draft")
    # when
    response = site.client("ann").post(
        "/api/v1/tickets/",
        {"subject": "Hello", "body": "?", "target": {"type": "programs.bootcamp", "id": str(draft.pk)}},
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_target"
