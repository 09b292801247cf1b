"""The ``school`` kind: bootcamps, advanced courses, lessons, enrolment with approval, student groups."""

from tenant_apps.kinds import KindSpec, PlanLimit, Role, TicketTarget

#: The school's role names: the school's modules import them from here.
STUDENT, TEACHER, SUPPORT, FINANCIAL = "student", "teacher", "support", "financial"

KIND = KindSpec(
    name="school",
    label="School",
    package="tenant_apps.school",
    apps=("tenant_apps.school.programs", "tenant_apps.school.lessons"),
    roles=(
        Role(STUDENT),
        Role(TEACHER, permissions=("accounts.view_user",)),
        Role(SUPPORT, permissions=("accounts.view_user",)),
        Role(FINANCIAL, permissions=("accounts.view_user",)),
    ),
    support_roles=(SUPPORT,),
    finance_roles=(FINANCIAL,),
    # Tickets may be about a bootcamp or a course the user may see (a student cannot link a draft).
    ticket_targets=(
        TicketTarget("programs.Bootcamp", can_link="tenant_apps.school.programs.access.can_link_ticket"),
        TicketTarget("programs.AdvancedCourse", can_link="tenant_apps.school.programs.access.can_link_ticket"),
    ),
    demo="tenant_apps.school.demo.seed_demo",
    demo_site_name="Demo School",
    limits=(
        PlanLimit(
            "programs",
            "Programs (bootcamps and advanced courses, not finished)",
            "tenant_apps.school.programs.selectors.programs_count",
        ),
    ),
)
