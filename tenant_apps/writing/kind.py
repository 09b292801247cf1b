"""The ``writing`` kind: a writing-services marketplace (orders, writers, editors, wallets).

Apps: ``pricing`` (order options, the page-rate table, extra services, quotes), ``orders`` (orders
from placement and payment through assignment, review, revisions, disputes and refunds to
completion), ``writers`` (writer levels, what a completed order earns, and writers' profiles),
``files`` (an order's attachments, drafts and finals), ``messages`` (an order's thread, contact
details masked), ``wallets`` (card top-ups of a client's wallet, writers' payout requests),
``dashboard`` (figures per role: ``GET /api/v1/dashboard/``); and the growth features:
``discounts`` (codes and campaigns), ``loyalty`` (points, tiers, redemptions), ``referrals``,
``reviews`` (moderated; writers' ratings), ``fines`` (writers' fines and appeals), ``bundles``
(class bundles and express classes), ``special_orders`` (quoted, paid in installments), ``cms``
(blog posts and service pages) and ``campaigns`` (mass e-mail with unsubscribe links).
"""

from tenant_apps.kinds import KindSpec, PlanLimit, Role, TicketTarget

#: The writing kind's role names: its modules import them from here.
CLIENT, WRITER, EDITOR, SUPPORT = "client", "writer", "editor", "support"

KIND = KindSpec(
    name="writing",
    label="Writing services",
    package="tenant_apps.writing",
    apps=(
        "tenant_apps.writing.pricing",
        "tenant_apps.writing.orders",
        "tenant_apps.writing.writers",
        "tenant_apps.writing.files",
        "tenant_apps.writing.messages",
        "tenant_apps.writing.wallets",
        "tenant_apps.writing.dashboard",
        "tenant_apps.writing.discounts",
        "tenant_apps.writing.loyalty",
        "tenant_apps.writing.referrals",
        "tenant_apps.writing.reviews",
        "tenant_apps.writing.fines",
        "tenant_apps.writing.bundles",
        "tenant_apps.writing.special_orders",
        "tenant_apps.writing.cms",
        "tenant_apps.writing.campaigns",
    ),
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
    demo="tenant_apps.writing.demo.seed_demo",
    demo_site_name="Demo Writing Services",
    limits=(PlanLimit("service_pages", "Service pages", "tenant_apps.writing.cms.selectors.service_pages_count"),),
)
