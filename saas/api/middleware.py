"""Request checks that belong before routing: input no view can handle safely."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from saas.api.errors import error_response


class RejectNulCharactersMiddleware:
    """Answer 400 ``invalid_request`` when the path or the query string holds a NUL character.

    PostgreSQL text cannot hold NUL (``\\x00``): a value reaching the ORM (a filter, DRF's
    ``SearchFilter``/``OrderingFilter``, a lookup by slug) would raise ``ValueError`` deep in the
    database driver, a 500. No legitimate URL contains one, so it is refused here, once, before
    the tenant lookup and every view. Bodies are the serializers' business: DRF's ``CharField``
    already rejects NUL characters.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return error_response("invalid_request", "The URL contains a NUL character.", 400)
        return self.get_response(request)
