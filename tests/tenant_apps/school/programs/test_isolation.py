"""Tenants and kinds: alpha's programs do not exist for beta (another school), through the API or
the ORM; a store site (gamma) has no programs endpoints at all."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login, MakeProgram
from tests.tenant_apps.school.programs.conftest import Site, enrolments_url, error_code, programs_url


@pytest.mark.parametrize("path", ["bootcamps", "courses"])
def test_another_school_does_not_see_alphas_programs(
    site: Site, beta: Tenant, client_for: ClientFor, make_program: MakeProgram, path: str
) -> None:
    # given
    from tenant_apps.school.programs.models import AdvancedCourse, Bootcamp

    program = make_program(type=path, title="Alpha Only")
    client = client_for(beta)
    # when
    listed = client.get(programs_url(path))
    by_id = client.get(programs_url(path, program.pk))
    by_slug = client.get(programs_url(path, program.slug))
    # then
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    assert (by_id.status_code, error_code(by_id)) == (404, "not_found")
    assert by_slug.status_code == 404
    models: dict[str, type[Bootcamp] | type[AdvancedCourse]] = {"bootcamps": Bootcamp, "courses": AdvancedCourse}
    model = models[path]
    with tenant_context(beta):
        assert not model.objects.filter(slug=program.slug).exists()
    with tenant_context(site.tenant):
        assert model.objects.filter(slug=program.slug).exists()


def test_an_alpha_token_cannot_enrol_on_beta(
    site: Site, beta: Tenant, client_for: ClientFor, login: Login, make_program: MakeProgram
) -> None:
    # given
    program = make_program()
    token = login(site.tenant, "ann@alpha.test")["access"]
    # when
    response = client_for(beta, token).post(enrolments_url(), {"program": program.pk})
    # then
    assert response.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/bootcamps/",
        "/api/v1/courses/",
        "/api/v1/bootcamps/mine/",
        "/api/v1/bootcamp-enrolments/",
        "/api/v1/course-enrolments/",
    ],
)
def test_a_store_site_has_no_programs_endpoints(gamma: Tenant, client_for: ClientFor, url: str) -> None:
    # when
    response = client_for(gamma).get(url)
    # then
    assert (response.status_code, error_code(response)) == (404, "not_found")


def test_a_store_schema_has_no_programs_tables(gamma: Tenant) -> None:
    from django.db import connection

    with tenant_context(gamma), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name LIKE 'programs_%%'",
            [gamma.schema_name],
        )
        assert cursor.fetchone()[0] == 0
