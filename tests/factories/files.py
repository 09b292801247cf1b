"""Stored uploads, made by ``files.services.file_store``."""

from __future__ import annotations

from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.files.models import StoredFile
from tenant_apps.files.services import file_store
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory

#: A tiny but real PDF: the files app decides the type from the content, not the name.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class StoredFileFactory(ServiceFactory[StoredFile]):
    """An upload of ``content`` named ``name`` by ``uploaded_by``, stored by ``file_store``: type
    sniffed from the bytes (an unsupported or empty file is refused), size, the tenant-prefixed
    storage key and the ``file.uploaded`` audit row. Default: a small PDF.

    Traits: ``text`` (a plain-text note).
    """

    class Meta:
        model = StoredFile

    class Params:
        text = factory.Trait(name="note.txt", content=b"a plain text note\n")

    uploaded_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"file-{n}.pdf")
    content = PDF

    @classmethod
    def _create(cls, model_class: type[StoredFile], *args: Any, **kwargs: Any) -> StoredFile:
        upload = SimpleUploadedFile(kwargs["name"], kwargs["content"])
        return file_store(upload=upload, uploaded_by=kwargs["uploaded_by"])
