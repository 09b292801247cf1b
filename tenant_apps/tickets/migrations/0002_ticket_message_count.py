"""A ticket's stored message count (``Ticket.message_count``), with a database default so that rows
the previous release inserts during a rolling upgrade get one; ``0003`` fills it in."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='message_count',
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False, help_text='Messages of the conversation, the first included; recounted by the services under the row lock.'),
        ),
    ]
