from django.db import migrations, models


def normalize_stored_emails(apps, schema_editor):
    """Rewrite stored addresses in canonical form (tenant_apps/accounts/addresses.py).

    An address whose canonical form another user already holds is left as it is (logged), so the
    migration never merges or loses accounts; such a pair needs a person to decide.
    """
    import logging

    from tenant_apps.accounts.addresses import normalize_email_or_none

    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for pk, email in User.objects.values_list("pk", "email").order_by("pk"):
        canonical = normalize_email_or_none(email)
        if canonical is None or canonical == email:
            continue
        if canonical in taken:
            logging.getLogger(__name__).warning("user %s: %r not normalised, %r is taken", pk, email, canonical)
            continue
        User.objects.filter(pk=pk).update(email=canonical)
        taken.discard(email)
        taken.add(canonical)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='token_version',
            field=models.PositiveIntegerField(default=0, help_text='Raised to revoke every token issued before (password change, log out everywhere).'),
        ),
        migrations.AlterField(
            model_name='onetimecode',
            name='address',
            field=models.CharField(db_index=True, help_text='Canonical e-mail (addresses.py) or E.164 phone.', max_length=254),
        ),
        migrations.RunPython(normalize_stored_emails, migrations.RunPython.noop),
    ]
