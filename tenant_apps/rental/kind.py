"""The ``rental`` kind: property listings, bookings, inquiries, card payments, invoices, reports.

Guests (the seed's "user") book; hosts list properties and are paid their share when a stay ends;
customer-service agents answer inquiries and tickets; the site's admins manage everything and
act as finance.
"""

from tenant_apps.kinds import KindSpec, PlanLimit, Role, TicketTarget

#: The rental's role names: its modules import them from here.
GUEST, HOST, CUSTOMER_SERVICE = "guest", "host", "customer_service"

KIND = KindSpec(
    name="rental",
    label="Property rental",
    package="tenant_apps.rental",
    apps=(
        "tenant_apps.rental.site",
        "tenant_apps.rental.properties",
        "tenant_apps.rental.bookings",
        "tenant_apps.rental.inquiries",
        "tenant_apps.rental.reports",
    ),
    roles=(Role(GUEST), Role(HOST), Role(CUSTOMER_SERVICE, permissions=("accounts.view_user",))),
    support_roles=(CUSTOMER_SERVICE,),
    ticket_targets=(TicketTarget("bookings.Booking", can_link="tenant_apps.rental.bookings.access.can_link_ticket"),),
    demo="tenant_apps.rental.demo.seed_demo",
    demo_site_name="Demo Rentals",
    limits=(PlanLimit("properties", "Properties", "tenant_apps.rental.properties.selectors.properties_count"),),
)
