"""Indexes of the invoice and payment lists: newest first, alone and after a ``status`` filter, and
the open invoices by due date (``?overdue=``). Built concurrently (a non-atomic migration); the ``status`` indexes they make redundant go last."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('payments', '0001_initial'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='invoice',
            index=models.Index(fields=['-issued_at', '-id'], name='payments_invoice_recent'),
        ),
        AddIndexConcurrently(
            model_name='invoice',
            index=models.Index(fields=['status', '-issued_at', '-id'], name='payments_invoice_status_recent'),
        ),
        AddIndexConcurrently(
            model_name='invoice',
            index=models.Index(condition=models.Q(('status', 'unpaid'), ('status', 'partially_paid'), _connector='OR'), fields=['due_date'], name='payments_invoice_open_due'),
        ),
        AddIndexConcurrently(
            model_name='payment',
            index=models.Index(fields=['-created_at', '-id'], name='payments_payment_recent'),
        ),
        AddIndexConcurrently(
            model_name='payment',
            index=models.Index(fields=['status', '-created_at', '-id'], name='payments_payment_status_recent'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='status',
            field=models.CharField(choices=[('unpaid', 'Unpaid'), ('partially_paid', 'Partially paid'), ('paid', 'Paid'), ('cancelled', 'Cancelled')], default='unpaid', help_text='Derived from approved payments and cancellation.', max_length=16),
        ),
        migrations.AlterField(
            model_name='payment',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='pending', max_length=16),
        ),
    ]
