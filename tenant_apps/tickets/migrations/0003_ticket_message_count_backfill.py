"""Count every ticket's messages into ``message_count``: in batches of tickets, each committed on its
own (a non-atomic migration), and idempotent (a re-run counts again).

Replies the previous release adds while this runs are not counted by it; the next reply to such a
ticket counts the conversation again (``services._recount_messages``).
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

BATCH = 5000


def count_messages(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    counted = (
        TicketMessage.objects.filter(ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last, BATCH):
        Ticket.objects.filter(pk__gt=start, pk__lte=start + BATCH).update(
            message_count=Coalesce(Subquery(counted), Value(0))
        )


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('tickets', '0002_ticket_message_count'),
    ]

    operations = [
        migrations.RunPython(count_messages, migrations.RunPython.noop, elidable=True),
    ]
