"""Indexes of the tickets list: its order (most recently active first) alone and after the
``assignee`` and ``priority`` filters. Built concurrently (a non-atomic migration), so writes to
the table go on meanwhile; the single-column indexes they make redundant go last."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('tickets', '0003_ticket_message_count_backfill'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(fields=['-updated_at', '-id'], name='tickets_recent'),
        ),
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(fields=['assignee', '-updated_at', '-id'], name='tickets_assignee_recent'),
        ),
        AddIndexConcurrently(
            model_name='ticket',
            index=models.Index(fields=['priority', '-updated_at', '-id'], name='tickets_priority_recent'),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='assignee',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tickets', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
    ]
