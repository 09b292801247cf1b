"""Pagination used by every list endpoint."""

from rest_framework.pagination import PageNumberPagination as _PageNumberPagination


class PageNumberPagination(_PageNumberPagination):
    """``?page=N&page_size=M`` (``page_size`` at most 100); body ``{count, next, previous, results}``."""

    page_size_query_param = "page_size"
    max_page_size = 100
