"""localstripe extension: Stripe Connect (dev/test tooling only), what ``make run``'s fake lacks.

localstripe 1.15 has no accounts or account links and refuses ``application_fee_amount``. Loaded by
``saas.dev.localstripe`` before localstripe's server (after ``localstripe_billing``), it appends
routes to localstripe's ``extra_apis`` and patches PaymentIntent:

* ``POST /v1/accounts`` (an Express account whose ``charges_enabled`` and ``details_submitted``
  are true at once: onboarding is instant here) and ``GET /v1/accounts/{id}``;
* ``POST /v1/account_links``, answering a link whose ``url`` is the ``return_url`` itself (opening
  the "onboarding" link lands straight on the site's return page);
* ``POST /v1/payment_intents`` takes ``application_fee_amount`` (a whole number of minor units, at
  most the amount) and keeps it on the intent.

The ``Stripe-Account`` header is ignored (one store): a connected account's intents are found like
the platform's. Small on purpose: what the Connect code calls, nothing more.
"""

from __future__ import annotations

import time
from typing import Any

from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, StripeObject, extra_apis, try_convert_to_int


class _Answer:
    """What localstripe's route wrapper serialises: a ready dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def _export(self, expand: Any = None) -> dict[str, Any]:
        return self._data


class Account(StripeObject):  # type: ignore[misc]
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


def _account_create(**data: Any) -> Any:
    return Account._api_create(**data)


def _account_retrieve(id: str, **data: Any) -> Any:
    return Account._api_retrieve(id)


def _account_link(
    account: str | None = None,
    type: str | None = None,
    refresh_url: str | None = None,
    return_url: str | None = None,
    **kwargs: Any,
) -> _Answer:
    if not account or type != "account_onboarding" or not return_url or not refresh_url:
        raise UserError(400, "Bad request")
    Account._api_retrieve(account)  # 404 for an unknown account
    now = int(time.time())
    return _Answer({"object": "account_link", "created": now, "expires_at": now + 300, "url": return_url})


_original_intent_init = PaymentIntent.__init__


def _intent_init(self: Any, *args: Any, application_fee_amount: Any = None, **kwargs: Any) -> None:
    fee = try_convert_to_int(application_fee_amount)
    amount = try_convert_to_int(kwargs.get("amount", args[0] if args else None))
    if fee is not None and (type(fee) is not int or type(amount) is not int or not 0 <= fee <= amount):
        raise UserError(400, "Bad request")  # before the intent is stored
    _original_intent_init(self, *args, **kwargs)
    self.application_fee_amount = fee


if getattr(PaymentIntent, "_connect_fee", False) is False:  # imported once per process, but be safe
    PaymentIntent.__init__ = _intent_init
    PaymentIntent._connect_fee = True
    extra_apis.extend(
        (
            ("POST", "/v1/accounts", _account_create),
            ("GET", "/v1/accounts/{id}", _account_retrieve),
            ("POST", "/v1/account_links", _account_link),
        )
    )
