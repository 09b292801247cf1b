"""Reactions to other apps' signals: a referred client's first completed order lands the reward."""

from __future__ import annotations

from typing import Any

from tenant_apps.writing.orders.models import Order


def on_order_completed(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``orders.signals.order_completed``: reward the referral of ``order``'s client, if it is
    their first completed order and the referral is pending, inside the completion's transaction
    (``services.referral_reward_for_order``)."""
    from tenant_apps.writing.referrals.services import referral_reward_for_order

    referral_reward_for_order(order=order)
