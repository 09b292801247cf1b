"""OpenAPI helpers shared by the apps.

``NamedChoiceField`` is a ``ChoiceField`` documented as its own enum component (``TicketStatusEnum``,
``ProgramStatusEnum``...) instead of one named after the field: many apps have ``status`` fields
with different choices, and drf-spectacular warns on such name collisions (the OpenAPI test fails
on any warning).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A ``ChoiceField`` whose choices appear in the schema as the component ``component_name``."""

    def __init__(self, *, component_name: str, **kwargs: Any) -> None:
        self.component_name = component_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str | None:
        return str(self.target.component_name)

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        return {"type": "string", "enum": list(choices),
                "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items())}
