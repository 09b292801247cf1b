"""The default writer levels (``defaults.py``), the first of them the default level.

Run on the writing kind's template schema (every writing site is cloned from it) and on existing
sites. A site whose order settings had a writer share other than the old default (50 %) keeps it
as the default level's share, so its writers' earnings do not change when levels arrive
(``writing_orders`` 0003 then drops the site-wide share).
"""

from decimal import Decimal
from typing import Any

from django.db import migrations


def insert_defaults(apps: Any, schema_editor: Any) -> None:
    from tenant_apps.writing.writers import defaults

    level_model = apps.get_model("writing_writers", "WriterLevel")
    settings_model = apps.get_model("writing_orders", "OrderSettings")
    if level_model.objects.exists():
        return
    row = settings_model.objects.filter(pk=1).first()
    kept_share: Decimal | None = row.writer_share_percent if row is not None else None
    for position, (slug, name, share, per_page, is_default) in enumerate(defaults.LEVELS, start=1):
        if is_default and kept_share is not None:
            share = kept_share
        level_model.objects.create(
            slug=slug,
            name=name,
            position=position,
            share_percent=share,
            per_page_amount=per_page,
            is_default=is_default,
        )


class Migration(migrations.Migration):
    dependencies = [("writing_writers", "0001_initial"), ("writing_orders", "0002_dispute_and_rating")]

    operations = [migrations.RunPython(insert_defaults, migrations.RunPython.noop)]
