"""The product list's order (title), built concurrently (a non-atomic migration)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('lessons', '0001_initial'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='product',
            index=models.Index(fields=['title', 'id'], name='lessons_product_title'),
        ),
    ]
