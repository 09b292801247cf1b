"""The ``rental`` kind: property listings, bookings, inquiries, payments, invoices, reports.

Its apps arrive with the rental issue; until then a rental site serves the shared services only.
"""

from tenant_apps.kinds import KindSpec, Role

KIND = KindSpec(
    name="rental",
    label="Property rental",
    package="tenant_apps.rental",
    roles=(Role("guest"), Role("host"), Role("customer_service", permissions=("accounts.view_user",))),
    support_roles=("customer_service",),
    demo_site_name="Demo Rentals",
)
