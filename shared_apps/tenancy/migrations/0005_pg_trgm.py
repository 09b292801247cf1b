"""PostgreSQL's ``pg_trgm`` extension, in the public schema, where every tenant's ``search_path``
finds it: the store's catalog indexes product titles with ``gin_trgm_ops`` for typo-tolerant search."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0004_schema_state")]

    operations = [TrigramExtension()]
