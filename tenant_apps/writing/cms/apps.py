"""The writing cms app (writing sites)."""

from django.apps import AppConfig


class WritingCmsConfig(AppConfig):
    """Blog posts and service pages (the site's content) (writing kind)."""

    name = "tenant_apps.writing.cms"
    label = "writing_cms"
    verbose_name = "Writing CMS"
