import uuid

from django.db import migrations, models


def give_each_tenant_a_uuid(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    for tenant in Tenant.objects.filter(uuid__isnull=True).only("pk"):
        Tenant.objects.filter(pk=tenant.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    """Add ``Tenant.uuid``: nullable first, a distinct random value per row, then unique and required."""

    dependencies = [
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="tenant", name="uuid", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(give_each_tenant_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="tenant", name="uuid",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
