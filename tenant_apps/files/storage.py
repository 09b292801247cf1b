"""Storage keys: every stored file's key starts with its tenant's schema name.

Uploads go through Django's storage API (``STORAGES['default']``): S3 via django-storages when
``AWS_STORAGE_BUCKET_NAME`` is set, the local ``MEDIA_ROOT`` otherwise. With the schema as the
first path segment no two tenants share a path, and a key read back is checked against the
current tenant before it is served (``key_belongs_to_current_tenant``).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.utils.text import get_valid_filename

from saas.db.tenant import current_schema


def tenant_key(folder: str, filename: str) -> str:
    """``<schema>/<folder>/<uuid>/<safe filename>``; the UUID keeps same-named uploads apart."""
    name = get_valid_filename(PurePosixPath(filename).name) or "file"
    return f"{current_schema()}/{folder}/{uuid.uuid4().hex}/{name[-150:]}"


def upload_to(instance: Any, filename: str) -> str:
    """``FileField.upload_to`` for ``StoredFile``."""
    return tenant_key("files", filename)


def key_belongs_to_current_tenant(key: str) -> bool:
    """Whether a storage key lies under the current tenant's prefix."""
    return key.split("/", 1)[0] == current_schema()
