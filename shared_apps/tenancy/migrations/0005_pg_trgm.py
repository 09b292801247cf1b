"""PostgreSQL's ``pg_trgm`` extension, in the public schema, where every tenant's ``search_path``
finds it: the store's catalog indexes product titles with ``gin_trgm_ops`` for typo-tolerant search.

Created only where the server has it (contrib; ``pgserver``, the embedded server of ``make run``
without ``DATABASE_URL``, does not): ``saas.db.extensions`` explains how the catalog degrades.
"""

from django.db import migrations

CREATE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0004_schema_state")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=migrations.RunSQL.noop)]
