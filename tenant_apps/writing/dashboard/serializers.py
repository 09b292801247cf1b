"""Output shapes of the dashboard (for the OpenAPI schema; the selectors build plain dicts)."""

from __future__ import annotations

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.tickets.models import TicketPriority, TicketStatus
from tenant_apps.writing.orders.models import OrderStatus


class DashboardOrderSerializer(serializers.Serializer):
    """An order in a dashboard list: ``{id, number, topic, status, deadline, is_late}``."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    topic = serializers.CharField()
    status = NamedChoiceField(component_name="WritingOrderStatusEnum", choices=OrderStatus.choices)
    deadline = serializers.DateTimeField()
    is_late = serializers.BooleanField()


class OrderCountsSerializer(serializers.Serializer):
    """How many orders are in each status (every status listed), in all, and late."""

    orders_by_status = serializers.DictField(child=serializers.IntegerField())
    orders_total = serializers.IntegerField()
    orders_late = serializers.IntegerField()


class SpendingSerializer(serializers.Serializer):
    """A client's spending in one currency: all time and this month (decimal strings)."""

    currency = serializers.CharField()
    total = serializers.CharField()
    this_month = serializers.CharField()


class MoneySerializer(serializers.Serializer):
    """An amount (decimal string) in a currency."""

    currency = serializers.CharField()
    amount = serializers.CharField()


class ClientSectionSerializer(OrderCountsSerializer):
    """The client's section."""

    spending = SpendingSerializer(many=True)


class RatingSerializer(serializers.Serializer):
    """Published reviews of a writer's orders: ``average`` (1-5, 2 places; ``null`` before the first)."""

    average = AsciiDecimalField(max_digits=3, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class WriterSectionSerializer(serializers.Serializer):
    """The writer's section."""

    active_orders = DashboardOrderSerializer(many=True)
    active_count = serializers.IntegerField()
    late_count = serializers.IntegerField()
    next_deadline = serializers.DateTimeField(allow_null=True)
    completed_count = serializers.IntegerField()
    rating = RatingSerializer()
    earnings_this_month = MoneySerializer(many=True)


class EditorSectionSerializer(serializers.Serializer):
    """The editor's section."""

    review_queue = DashboardOrderSerializer(many=True)
    queue_count = serializers.IntegerField()
    queue_late_count = serializers.IntegerField()
    reviewed_count = serializers.IntegerField()
    delivered_this_month = serializers.IntegerField()


class DashboardTicketSerializer(serializers.Serializer):
    """An open ticket in the support section."""

    id = serializers.IntegerField()
    subject = serializers.CharField()
    priority = NamedChoiceField(component_name="TicketPriorityEnum", choices=TicketPriority.choices)
    status = NamedChoiceField(component_name="TicketStatusEnum", choices=TicketStatus.choices)
    created_at = serializers.DateTimeField()


class SupportSectionSerializer(serializers.Serializer):
    """The support section."""

    open_tickets = DashboardTicketSerializer(many=True)
    open_tickets_count = serializers.IntegerField()
    answered_tickets_count = serializers.IntegerField()
    unassigned_open_tickets_count = serializers.IntegerField()
    disputed_orders = DashboardOrderSerializer(many=True)
    disputed_orders_count = serializers.IntegerField()


class RevenueDaySerializer(serializers.Serializer):
    """Revenue of one site day in one currency: orders paid that day and their total."""

    date = serializers.DateField()
    currency = serializers.CharField()
    amount = serializers.CharField()
    orders = serializers.IntegerField()


class TopWriterSerializer(serializers.Serializer):
    """A writer by completed orders."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    completed_count = serializers.IntegerField()
    average_rating = AsciiDecimalField(max_digits=3, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()


class AdminSectionSerializer(OrderCountsSerializer):
    """The admin's section."""

    revenue_by_day = RevenueDaySerializer(many=True)
    top_writers = TopWriterSerializer(many=True)
    overdue_orders = DashboardOrderSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    """``GET /dashboard/``: the caller's dashboard roles and one section for each."""

    roles = serializers.ListField(child=serializers.CharField())
    generated_at = serializers.DateTimeField()
    client = ClientSectionSerializer(required=False)
    writer = WriterSectionSerializer(required=False)
    editor = EditorSectionSerializer(required=False)
    support = SupportSectionSerializer(required=False)
    admin = AdminSectionSerializer(required=False)
