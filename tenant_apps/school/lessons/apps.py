from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Authors, products, lessons behind payment, and automatic student groups (school kind)."""

    name = "tenant_apps.school.lessons"
    label = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.school.lessons.receivers import on_invoice_paid

        invoice_paid.connect(on_invoice_paid, sender=Invoice, dispatch_uid="lessons.on_invoice_paid")
