"""The ``store`` kind: catalog, brands, cart, escrow wallet, auctions, delivery, returns, reviews.

Its apps arrive with the store issue; until then a store site serves the shared services only.
The store has no support role of its own: its admins answer tickets.
"""

from tenant_apps.kinds import KindSpec, Role

KIND = KindSpec(
    name="store",
    label="Store",
    package="tenant_apps.store",
    roles=(Role("customer"), Role("seller"), Role("delivery")),
    demo_site_name="Demo Store",
)
