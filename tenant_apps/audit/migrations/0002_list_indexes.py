"""The audit log's indexes: newest first (also the ``since``/``until`` range), and one actor's
entries newest first. Built concurrently (a non-atomic migration); the single-column indexes
they make redundant go last."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='auditlogentry',
            index=models.Index(fields=['-created_at', '-id'], name='audit_recent'),
        ),
        AddIndexConcurrently(
            model_name='auditlogentry',
            index=models.Index(fields=['actor', '-created_at', '-id'], name='audit_actor_recent'),
        ),
        migrations.AlterField(
            model_name='auditlogentry',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditlogentry',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True),
        ),
    ]
