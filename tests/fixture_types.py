"""The types of the shared fixtures, so test signatures stay short and checked.

``def test_x(alpha: Tenant, client_for: ClientFor, make_user: MakeUser) -> None``: a fixture that
is a factory (it returns a function) is typed by a ``Protocol`` of that function, below under the
conftest that defines it. Model classes are imported for the type checker only: the root
``conftest.py`` imports this module before any app model may be.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from django.db.models import Model
from rest_framework.test import APIClient

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse

    from shared_apps.tenancy.models import Tenant
    from tenant_apps.accounts.models import User
    from tenant_apps.files.models import StoredFile
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Invoice
    from tenant_apps.school.lessons.models import Product, ProductPurchase
    from tenant_apps.school.programs.models import Enrolment, Program
    from tenant_apps.wallet.models import Wallet
    from tests.tenant_apps.school.programs.conftest import Site
    from tests.tenant_apps.tickets.conftest import Person

#: What ``APIClient.get()``/``.post()``/... return: a DRF ``Response`` with ``json()``, ``wsgi_request``...
ApiResponse: TypeAlias = "_MonkeyPatchedResponse"


class JsonResponse(Protocol):
    """Any test client's response read as JSON: DRF's ``APIClient``, Django's ``Client``, the SSE client's."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    def json(self) -> Any: ...

    def __getitem__(self, header: str) -> str: ...


T = TypeVar("T")
#: A model class, for helpers that give back the instance they were given (``refreshed``, ``reload``).
ModelT = TypeVar("ModelT", bound=Model)


# --- tests/conftest.py ---------------------------------------------------------------------------


class ClientFor(Protocol):
    """``client_for(tenant_or_None, token=None)``: an API client sending that tenant's Host header."""

    def __call__(self, tenant: Tenant | None, token: str | None = None) -> APIClient: ...


class Login(Protocol):
    """``login(tenant_or_None, email, password=PASSWORD)`` -> ``{"access", "refresh"}``."""

    def __call__(self, tenant: Tenant | None, email: str, password: str = ...) -> dict[str, str]: ...


class MakeUser(Protocol):
    """``make_user(tenant, email, roles=[...], **fields)``: a user with ``PASSWORD`` in that tenant."""

    def __call__(self, tenant: Tenant, email: str, roles: list[str] | None = None, **fields: Any) -> User: ...


# --- several folders: clients logged in by e-mail -------------------------------------------------


class ApiAs(Protocol):
    """``api(tenant, email)`` (payments), ``as_user(tenant, email)`` (wallet): a client logged in as ``email``."""

    def __call__(self, tenant: Tenant, email: str) -> APIClient: ...


class ApiAsOrAnonymous(Protocol):
    """``api(tenant, email)`` (lessons): a client of ``tenant`` logged in as ``email``; ``api(tenant)``: anonymous."""

    def __call__(self, tenant: Tenant, email: str | None = None) -> APIClient: ...


# --- tests/tenant_apps/accounts ------------------------------------------------------------------


class AuthClient(Protocol):
    """``auth_client(tenant, email, password=PASSWORD)``: a client carrying a fresh access token."""

    def __call__(self, tenant: Tenant | None, email: str, password: str = ...) -> APIClient: ...


# --- tests/tenant_apps/notifications -------------------------------------------------------------


class NotifyIn(Protocol):
    """``notify_in(tenant, recipient, verb="...", **kwargs)``: a published notification."""

    def __call__(self, tenant: Tenant, recipient: User, verb: str = ..., **kwargs: Any) -> Notification: ...


class RunAsync(Protocol):
    """``run_async(scenario)``: an async scenario run against the ASGI app; returns its result."""

    def __call__(self, scenario: Callable[[], Awaitable[T]]) -> T: ...


# --- tests/tenant_apps/payments ------------------------------------------------------------------


class MakeInvoice(Protocol):
    """``make_invoice(tenant, customer, total="100.00", **kw)``: an invoice, through the service."""

    def __call__(self, tenant: Tenant, customer: User, total: str = ..., **kw: Any) -> Invoice: ...


class ReceiptOf(Protocol):
    """``receipt_of(tenant, user)``: a PDF receipt stored as uploaded by ``user``."""

    def __call__(self, tenant: Tenant, user: User) -> StoredFile: ...


class SubmitOffline(Protocol):
    """``submit_offline(tenant, email, invoice, amount, tracking_code="TRK-1")``: the API's answer."""

    def __call__(
        self, tenant: Tenant, email: str, invoice: Invoice, amount: str, tracking_code: str = ...
    ) -> ApiResponse: ...


class Deliver(Protocol):
    """``deliver(tenant, event, signature=None, payload=None)``: the webhook's answer."""

    def __call__(
        self,
        tenant: Tenant,
        event: dict[str, Any] | None = None,
        *,
        signature: str | None = None,
        payload: str | None = None,
    ) -> ApiResponse: ...


# --- tests/tenant_apps/school/lessons ------------------------------------------------------------


class MakeProduct(Protocol):
    """``make_product(tenant, title="...", lessons=3, **fields)``: a published product with lessons."""

    def __call__(self, tenant: Tenant, title: str = ..., lessons: int = ..., **fields: Any) -> Product: ...


class Buy(Protocol):
    """``buy(tenant, student, product)``: the student's pending purchase (and its invoice)."""

    def __call__(self, tenant: Tenant, student: User, product: Product) -> ProductPurchase: ...


class Pay(Protocol):
    """``pay(tenant, purchase, amount=None)``: an approved bank transfer; the refreshed purchase."""

    def __call__(
        self, tenant: Tenant, purchase: ProductPurchase, amount: str | Decimal | None = None
    ) -> ProductPurchase: ...


class PaidStudent(Protocol):
    """``paid_student(tenant, product, email)``: a new student who bought and fully paid ``product``."""

    def __call__(self, tenant: Tenant, product: Product, email: str) -> User: ...


# --- tests/tenant_apps/school/programs -----------------------------------------------------------


class MakeProgram(Protocol):
    """``make_program(status="registration_open", type="bootcamps", **fields)``: a program."""

    def __call__(self, status: str = ..., type: str = ..., **fields: Any) -> Program: ...


class Enrol(Protocol):
    """``enrol(site, program, student, approve=False)``: the enrolment, through the services."""

    def __call__(self, site: Site, program: Program, student: User, *, approve: bool = False) -> Enrolment: ...


# --- tests/tenant_apps/tickets -------------------------------------------------------------------


class MakePerson(Protocol):
    """``person(tenant, email, roles, **fields)``: a new user of ``tenant`` with a logged-in client."""

    def __call__(self, tenant: Tenant, email: str, roles: list[str] | None = None, **fields: Any) -> Person: ...


# --- tests/tenant_apps/wallet --------------------------------------------------------------------


class Funded(Protocol):
    """``funded(tenant, email, balance="0", held="0", roles=None)``: a new user's wallet holding those."""

    def __call__(
        self, tenant: Tenant, email: str, balance: str = ..., held: str = ..., roles: list[str] | None = None
    ) -> Wallet: ...
