"""Stripe Connect for localstripe (development only): what ``make run``'s fake lacks for Connect.

localstripe 1.15 has no accounts or account links and refuses ``application_fee_amount``. Importing
this module (the launcher ``saas/dev/localstripe.py`` does, when it can) calls ``install()``, which,
before the server starts:

* registers ``POST /v1/accounts`` (an Express account whose ``charges_enabled`` and
  ``details_submitted`` are true at once: onboarding is instant here) and
  ``GET /v1/accounts/{id}``;
* registers ``POST /v1/account_links``, answering a link whose ``url`` is the ``return_url`` itself
  (opening the "onboarding" link lands straight on the site's return page);
* makes ``POST /v1/payment_intents`` take ``application_fee_amount`` and keep it on the intent.

The ``Stripe-Account`` header is ignored (one store): a connected account's intents are found like
the platform's. Never imported by the application itself.
"""

from __future__ import annotations

import time
from typing import Any

from localstripe import resources, server  # type: ignore[import-untyped]
from localstripe.errors import UserError  # type: ignore[import-untyped]

_installed = False


class Account(resources.StripeObject):  # type: ignore[misc]
    """A connected account, already able to take charges."""

    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type: str = "express",
        country: str | None = None,
        email: str | None = None,
        metadata: dict[str, Any] | None = None,
        capabilities: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if type not in ("express", "standard", "custom"):
            raise UserError(400, "Bad request")
        super().__init__()
        self.type = type
        self.country = country or "US"
        self.email = email
        self.metadata = metadata or {}
        self.capabilities = {name: "active" for name in (capabilities or {"card_payments": {}, "transfers": {}})}
        self.charges_enabled = True
        self.details_submitted = True
        self.payouts_enabled = True
        self.default_currency = "usd"
        self.business_type = kwargs.get("business_type")


def _account_link(
    account: str | None = None,
    type: str | None = None,
    refresh_url: str | None = None,
    return_url: str | None = None,
    **kwargs: Any,
) -> Any:
    if not account or type != "account_onboarding" or not return_url or not refresh_url:
        raise UserError(400, "Bad request")
    Account._api_retrieve(account)  # 404 for an unknown account
    now = int(time.time())
    return {"object": "account_link", "created": now, "expires_at": now + 300, "url": return_url}


async def _create_account(request: Any) -> Any:
    data = await server.get_post_data(request) or {}
    return server.json_response(Account._api_create(**data)._export())


def _retrieve_account(request: Any) -> Any:
    return server.json_response(Account._api_retrieve(request.match_info["id"])._export())


async def _create_account_link(request: Any) -> Any:
    data = await server.get_post_data(request) or {}
    return server.json_response(_account_link(**data))


def _accept_application_fee() -> None:
    original = resources.PaymentIntent.__init__

    def __init__(self: Any, *args: Any, application_fee_amount: Any = None, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        fee = resources.try_convert_to_int(application_fee_amount)
        if fee is not None and (type(fee) is not int or fee < 0 or fee > self.amount):
            raise UserError(400, "Bad request")
        self.application_fee_amount = fee

    resources.PaymentIntent.__init__ = __init__


def install() -> None:
    """Register the Connect routes on localstripe's app and patch PaymentIntent (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    server.app.router.add_post("/v1/accounts", _create_account)
    server.app.router.add_get("/v1/accounts/{id}", _retrieve_account)
    server.app.router.add_post("/v1/account_links", _create_account_link)
    _accept_application_fee()


install()
