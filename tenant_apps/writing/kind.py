"""The ``writing`` kind: a writing-services marketplace (orders, writers, editors, wallets).

Its apps arrive with the writing issues; until then a writing site serves the shared services only.
"""

from tenant_apps.kinds import KindSpec, Role

KIND = KindSpec(
    name="writing",
    label="Writing services",
    package="tenant_apps.writing",
    roles=(
        Role("client"),
        Role("writer"),
        Role("editor", permissions=("accounts.view_user",)),
        Role("support", permissions=("accounts.view_user",)),
    ),
    support_roles=("support",),
    demo_site_name="Demo Writing Services",
)
