"""Pagination used by every list endpoint."""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination as _PageNumberPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from saas.api.filters import MAX_ID, StrictIntegerField
from saas.db.tenant import site_url


class _PageForm(forms.Form):
    page = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    page_size = StrictIntegerField(required=False, min_value=1, max_value=100)


class PageNumberPagination(_PageNumberPagination):
    """``?page=N&page_size=M`` (``page_size`` at most 100); body ``{count, next, previous, results}``.

    ``next`` and ``previous`` are absolute URLs on the site's primary domain (``site_url``), not
    on the Host the request was sent to.

    Unlike DRF's, a ``page`` or ``page_size`` that is not a whole number in range (``0``,
    ``-1``, ``null``, ``101``) raises ``ValidationError`` (400 ``validation_error`` naming the
    parameter) instead of being silently replaced by the default. A page past the last one is
    DRF's ``NotFound`` (404).

    ``count`` is exact, on every page: the ``COUNT(*)`` of the filtered list. Each list has an
    index on its order alone and after its common filters (the models' ``Meta.indexes``), so the
    count reads matching index entries only (an index-only scan once autovacuum has passed), never
    the table, and the page reads its own rows only. The count is still the one part of a list
    request that grows with the rows it counts: under 10 ms per 100,000 matching rows
    (``bench/lists.py``, column ``COUNT(*)``). A list expected to reach millions of matching rows
    would need an estimate above a threshold, which would change this response; none does yet.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # the schema documents ``page`` as an integer

    def _validated(self, request: Request) -> dict[str, Any]:
        form = _PageForm(
            {name: request.query_params[name] for name in ("page", "page_size") if name in request.query_params}
        )
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        return form.cleaned_data

    def get_page_size(self, request: Request) -> int | None:
        return self._validated(request).get("page_size") or self.page_size

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        return self._validated(request).get("page") or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_ID},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def _this_page_url(self) -> str:
        assert self.request is not None
        return site_url(self.request.get_full_path())

    def get_next_link(self) -> str | None:
        """The next page's URL, or ``None`` on the last page."""
        if self.page is None or not self.page.has_next():
            return None
        return replace_query_param(self._this_page_url(), self.page_query_param, self.page.next_page_number())

    def get_previous_link(self) -> str | None:
        """The previous page's URL (without ``page`` for the first), or ``None`` on the first page."""
        if self.page is None or not self.page.has_previous():
            return None
        number = self.page.previous_page_number()
        url = self._this_page_url()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)
