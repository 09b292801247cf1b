"""The programs app (school sites): bootcamps and advanced courses, enrolment requests approved by
staff, and waitlists for full programs."""

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """Bootcamps and advanced courses, enrolment with approval, waitlists (school kind; its ticket
    targets are declared in ``tenant_apps/school/kind.py``)."""

    name = "tenant_apps.school.programs"
    label = "programs"
    verbose_name = "Programs"
