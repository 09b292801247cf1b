"""The lessons app (school sites): authors, products whose lessons open once paid, and student groups
filled automatically; ``ready`` hooks purchases to ``invoice_paid`` in school schemas only."""

from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Authors, products, lessons behind payment, and automatic student groups (school kind)."""

    name = "tenant_apps.school.lessons"
    label = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.school.kind import KIND
        from tenant_apps.school.lessons.receivers import on_invoice_paid

        # invoice_paid is sent in every kind's schemas; lessons' tables exist only in school ones.
        connect_for_kind(
            invoice_paid, on_invoice_paid, kind=KIND.name, sender=Invoice, dispatch_uid="lessons.on_invoice_paid"
        )
