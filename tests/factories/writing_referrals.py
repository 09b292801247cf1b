"""Referrals of a writing site, made by ``writing.referrals.services``.

``ReferralCodeFactory(user=...)`` gives a client (default: a new one) their code
(``referral_code_for``). ``ReferralFactory(referrer=..., referred=...)`` has ``referred`` (default:
a new client) claim ``referrer``'s code (default: a new client's) (``referral_claim``): pending;
trait ``rewarded`` completes a first order of the referred client (``OrderFactory``), which
lands the reward on both sides through the ``order_completed`` receiver.
"""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.writing.referrals import services
from tenant_apps.writing.referrals.models import Referral, ReferralCode
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory
from tests.factories.writing_orders import OrderFactory


class ReferralCodeFactory(ServiceFactory[ReferralCode]):
    """``user``'s referral code (default: a new client's)."""

    class Meta:
        model = ReferralCode

    user = factory.SubFactory(UserFactory, roles=["client"])

    @classmethod
    def _create(cls, model_class: type[ReferralCode], *args: Any, **kwargs: Any) -> ReferralCode:
        return services.referral_code_for(user=kwargs["user"])


class ReferralFactory(ServiceFactory[Referral]):
    """``referred`` claims ``referrer``'s code (both default to new clients); trait ``rewarded``."""

    class Meta:
        model = Referral

    class Params:
        rewarded = factory.Trait(complete_first_order=True)

    referrer = factory.SubFactory(UserFactory, roles=["client"])
    referred = factory.SubFactory(UserFactory, roles=["client"])
    complete_first_order = False

    @classmethod
    def _create(cls, model_class: type[Referral], *args: Any, **kwargs: Any) -> Referral:
        code = services.referral_code_for(user=kwargs["referrer"])
        referral = services.referral_claim(user=kwargs["referred"], code=code.code)
        if kwargs["complete_first_order"]:
            OrderFactory(client=kwargs["referred"], completed=True)
            referral.refresh_from_db()
        return referral
