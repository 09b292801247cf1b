from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """Bootcamps and advanced courses, enrolment with approval, waitlists (school kind)."""

    name = "tenant_apps.school.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from tenant_apps.school.programs.models import PROGRAM_TYPES
        from tenant_apps.school.programs.selectors import can_link_ticket
        from tenant_apps.tickets.targets import register_ticket_target

        # Tickets may be about a bootcamp or a course ("programs.bootcamp", "programs.advancedcourse"),
        # one the user may see (a student cannot link a draft).
        for program_type in PROGRAM_TYPES:
            register_ticket_target(program_type.model, can_link=can_link_ticket)
