"""The default order options, page rates, extra services and settings (``defaults.py``).

Run on the writing kind's template schema, so every writing site cloned from it starts with them.
The currency is ``settings.DEFAULT_CURRENCY`` at migration time.
"""

from typing import Any

from django.conf import settings
from django.db import migrations


def insert_defaults(apps: Any, schema_editor: Any) -> None:
    from tenant_apps.writing.pricing import defaults

    option_model = apps.get_model("writing_pricing", "OrderOption")
    rate_model = apps.get_model("writing_pricing", "PageRate")
    extra_model = apps.get_model("writing_pricing", "ExtraService")
    settings_model = apps.get_model("writing_pricing", "PricingSettings")
    if option_model.objects.exists():
        return
    settings_model.objects.get_or_create(pk=1, defaults={"currency": settings.DEFAULT_CURRENCY.upper()})
    positions: dict[str, int] = {}
    levels = {}
    for group, slug, name in defaults.OPTIONS:
        positions[group] = positions.get(group, 0) + 1
        option = option_model.objects.create(group=group, slug=slug, name=name, position=positions[group])
        if group == "academic_level":
            levels[slug] = option
    rate_model.objects.bulk_create(
        rate_model(academic_level=levels[level], deadline_hours_max=hours, price_per_page=price)
        for (level, hours), price in defaults.default_rates().items()
    )
    for position, (slug, name, pricing, amount, description) in enumerate(defaults.EXTRAS, start=1):
        extra_model.objects.create(
            slug=slug, name=name, pricing=pricing, amount=amount, description=description, position=position
        )


class Migration(migrations.Migration):
    dependencies = [("writing_pricing", "0001_initial")]

    operations = [migrations.RunPython(insert_defaults, migrations.RunPython.noop)]
