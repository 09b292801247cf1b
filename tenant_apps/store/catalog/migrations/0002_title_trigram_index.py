"""The trigram index on product titles (typo-tolerant search), where ``pg_trgm`` is installed.

Not a model index: the embedded PostgreSQL of ``make run`` has no ``pg_trgm``, and search then
works without typo tolerance (``selectors.search_products``, ``saas.db.extensions``).
"""

from django.db import migrations

CREATE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS catalog_product_title_trgm ON catalog_product USING gin (title gin_trgm_ops);
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP INDEX IF EXISTS catalog_product_title_trgm"),
    ]
