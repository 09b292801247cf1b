from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Authors, products, lessons behind payment, and automatic student groups (school kind)."""

    name = "tenant_apps.school.lessons"
    label = "lessons"
    verbose_name = "Lessons"
