"""The ``store`` kind: catalog, brands, cart, escrow wallet, auctions, delivery, returns, reviews.

The store has no support role of its own: its admins answer tickets, and act as finance.
"""

from tenant_apps.kinds import KindSpec, PlanLimit, Role, TicketTarget

#: The store's role names (the seed's "user" is the customer): its modules import them from here.
CUSTOMER, SELLER, DELIVERY = "customer", "seller", "delivery"

KIND = KindSpec(
    name="store",
    label="Store",
    package="tenant_apps.store",
    apps=(
        "tenant_apps.store.shop",
        "tenant_apps.store.catalog",
        "tenant_apps.store.orders",
        "tenant_apps.store.auctions",
        "tenant_apps.store.returns",
        "tenant_apps.store.reviews",
    ),
    roles=(Role(CUSTOMER), Role(SELLER), Role(DELIVERY)),
    ticket_targets=(TicketTarget("orders.Order", can_link="tenant_apps.store.orders.access.can_link_ticket"),),
    demo="tenant_apps.store.demo.seed_demo",
    demo_site_name="Demo Store",
    limits=(PlanLimit("products", "Products", "tenant_apps.store.catalog.selectors.products_count"),),
)
