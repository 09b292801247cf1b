"""The ``writing`` kind: a writing-services marketplace (orders, writers, editors, wallets).

Apps: ``pricing`` (order options, the page-rate table, extra services, quotes), ``orders`` (orders
from placement and payment through assignment, review and revisions to completion), ``dashboard``
(figures per role: ``GET /api/v1/dashboard/``); the
marketplace's other apps arrive with the writing issues.
"""

from tenant_apps.kinds import KindSpec, Role, TicketTarget

#: The writing kind's role names: its modules import them from here.
CLIENT, WRITER, EDITOR, SUPPORT = "client", "writer", "editor", "support"

KIND = KindSpec(
    name="writing",
    label="Writing services",
    package="tenant_apps.writing",
    apps=("tenant_apps.writing.pricing", "tenant_apps.writing.orders", "tenant_apps.writing.dashboard"),
    roles=(
        Role(CLIENT),
        Role(WRITER),
        Role(EDITOR, permissions=("accounts.view_user",)),
        Role(SUPPORT, permissions=("accounts.view_user",)),
    ),
    support_roles=(SUPPORT,),
    ticket_targets=(
        TicketTarget("writing_orders.Order", can_link="tenant_apps.writing.orders.access.can_link_ticket"),
    ),
    demo_site_name="Demo Writing Services",
)
