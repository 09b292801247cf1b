"""Pagination used by every list endpoint."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination as _PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from saas.db.tenant import site_url


class PageNumberPagination(_PageNumberPagination):
    """``?page=N&page_size=M`` (``page_size`` at most 100); body ``{count, next, previous, results}``.

    ``next`` and ``previous`` are absolute URLs on the site's primary domain (``site_url``), not
    on the Host the request was sent to.
    """

    page_size_query_param = "page_size"
    max_page_size = 100

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
