"""Checkout under contention: many buyers with funded wallets check out one product with little stock.

    .venv/bin/python bench/checkout.py [--buyers 50] [--stock 20] [--rounds 3] [--workers 2]

Against its own database (``saas_bench_checkout`` on the ``DATABASE_URL`` server) and Redis database
(``BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/13``):

1. migrates it and provisions a store site ``shop`` (kept between runs); in a child process, makes
   a seller, one approved product, and ``--buyers`` customers with a delivery location and a
   wallet topped up for this run;
2. starts gunicorn with uvicorn workers on the production settings profile (as the image runs it);
3. per round: resets the product's stock to ``--stock``, signs the buyers in and puts one unit in
   each cart (untimed), then releases every buyer's ``POST /api/v1/orders/checkout/`` at once
   (one thread each) and times each answer;
4. checks the books after each round: orders of the product == ``min(stock, buyers)``, the stock
   left == ``stock - orders`` and never below zero, every other answer a 409 ``insufficient_stock``;
5. prints a Markdown table (orders/s = orders / wall time of the round; p50/p99 of every answer)
   and writes ``bench/results/checkout.json``.

Bounded: at most 200 buyers and 20 rounds; everything goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.connections import SERVER_LOG, _free_port, _start_server, _stop_server  # noqa: E402

DATABASE_NAME = "saas_bench_checkout"
PASSWORD = "bench-pass-1234"
SITE = "shop"
MAX_BUYERS = 200
MAX_ROUNDS = 20


def _environment(workers: int) -> dict[str, str]:
    """Production settings on the bench database and Redis database."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saas")
    base = url.rpartition("/")[0]
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{base}/{DATABASE_NAME}",
        DJANGO_SETTINGS_MODULE="saas.settings.production",
        DJANGO_SECRET_KEY="bench-only-0123456789abcdefghijklmnopqrstuvwxyz0123",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        PLATFORM_DOMAIN="localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SENTRY_DSN="",
        LOG_LEVEL="WARNING",
        AUTH_THROTTLE_RATES="login_address=1000000/h,login_ip=1000000/h",
        DB_POOL_MAX_SIZE="10",
        DB_POOL_MIN_SIZE="2",
        DB_POOL_TIMEOUT="30",
        DB_CONN_MAX_AGE="0",
    )
    return env


_SETUP = """
import django, json, logging, sys, uuid
django.setup()
logging.disable(logging.WARNING)
from decimal import Decimal
from django.core.management import call_command
from django_tenants.utils import tenant_context
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_provision
buyers, password = int(sys.argv[1]), sys.argv[2]
call_command("migrate_schemas", verbosity=0)
tenant = Tenant.objects.filter(schema_name="shop").first() or tenant_provision(
    kind="store", slug="shop", name="Shop", owner_email="admin@shop.test", owner_password=password)
with tenant_context(tenant):
    from django.conf import settings
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create
    from tenant_apps.store.catalog.models import Category, Product
    from tenant_apps.store.orders.models import CartItem
    from tenant_apps.store.orders.services import profile_update
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    def user(email, role):
        return User.objects.filter(email=email).first() or user_create(email=email, password=password, roles=[role])

    seller = user("seller@shop.test", "seller")
    category = Category.objects.filter(slug="bench").first() or Category.add_root(name="Bench", slug="bench")
    product = Product.objects.filter(slug="contended").first() or Product.objects.create(
        seller=seller, category=category, title="Contended", slug="contended", price=Decimal("10.00"),
        currency=settings.DEFAULT_CURRENCY, stock=0, status="approved")
    run = uuid.uuid4().hex[:8]
    for i in range(buyers):
        buyer = user(f"buyer{i}@shop.test", "customer")
        profile_update(user=buyer, location_lat=Decimal("48.1"), location_lng=Decimal("11.5"), location_address="B 1")
        wallet_top_up(wallet=wallet_open(user=buyer), amount="1000.00", reference=f"bench:{run}")
    CartItem.objects.filter(product=product).delete()
    print(json.dumps({"product": product.pk}))
"""

_RESET = """
import django, sys
django.setup()
from django_tenants.utils import schema_context
with schema_context("shop"):
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.store.orders.models import CartItem
    CartItem.objects.filter(product_id=int(sys.argv[1])).delete()
    Product.objects.filter(pk=int(sys.argv[1])).update(stock=int(sys.argv[2]))
"""

_BOOKS = """
import django, json, sys
django.setup()
from django.utils.dateparse import parse_datetime
from django_tenants.utils import schema_context
with schema_context("shop"):
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.store.orders.models import OrderItem
    from tenant_apps.wallet.selectors import ledger_discrepancies
    product, since = int(sys.argv[1]), parse_datetime(sys.argv[2])
    sold = OrderItem.objects.filter(product_id=product, order__created_at__gte=since)
    print(json.dumps({"orders": sold.count(), "units": sum(sold.values_list("quantity", flat=True)),
                      "stock": Product.objects.get(pk=product).stock, "ledger_ok": ledger_discrepancies() == []}))
"""


def _child(env: dict[str, str], code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**env, "DB_POOL_MAX_SIZE": "0"},
        check=True,
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return result


def _request(port: int, method: str, path: str, token: str = "", body: Any = None) -> tuple[int, Any, float]:
    """One request to the shop; returns ``(status, JSON body, seconds)``."""
    headers = {"Host": f"{SITE}.localhost", "Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    elapsed = time.monotonic() - started
    try:
        return status, json.loads(raw or b"null"), elapsed
    except ValueError:
        return status, raw[:200], elapsed


def _all_at_once(fns: list[Any]) -> list[Any]:
    """Run every ``fn`` on its own thread, released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        try:
            results[index] = fns[index]()
        except Exception as exc:  # recorded for the report
            results[index] = (0, repr(exc), 0.0)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return results


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main() -> int:
    """Run the benchmark (see the module's docstring); exit status 1 when an oversell is found."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--stock", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    buyers, rounds = min(args.buyers, MAX_BUYERS), min(args.rounds, MAX_ROUNDS)
    env = _environment(args.workers)
    product = _child(env, _SETUP, str(buyers), PASSWORD)["product"]
    port = _free_port()
    server = _start_server(env, port, args.workers)
    rows: list[dict[str, Any]] = []
    try:
        tokens = [
            answer[1]["access"]
            for answer in _all_at_once(
                [
                    lambda i=i: _request(
                        port,
                        "POST",
                        "/api/v1/auth/login/",
                        body={"email": f"buyer{i}@shop.test", "password": PASSWORD},
                    )
                    for i in range(buyers)
                ]
            )
        ]
        for number in range(1, rounds + 1):
            _child(env, _RESET, str(product), str(args.stock))
            for token in tokens:
                status, body, _ = _request(
                    port, "POST", "/api/v1/cart/items/", token, {"product": product, "quantity": 1}
                )
                assert status == 201, (status, body)
            mark = datetime.now(UTC).isoformat()  # orders of this round are created after it
            started = time.monotonic()
            answers = _all_at_once(
                [lambda token=token: _request(port, "POST", "/api/v1/orders/checkout/", token) for token in tokens]
            )
            wall = time.monotonic() - started
            books = _child(env, _BOOKS, str(product), mark)
            statuses: dict[str, int] = {}
            for status, body, _ in answers:
                key = f"{status} {body['error']['code']}" if status >= 400 and isinstance(body, dict) else str(status)
                statuses[key] = statuses.get(key, 0) + 1
            latencies = [seconds for _, _, seconds in answers]
            expected = min(args.stock, buyers)
            rows.append(
                {
                    "round": number,
                    "buyers": buyers,
                    "stock": args.stock,
                    "orders": books["orders"],
                    "stock_left": books["stock"],
                    "statuses": statuses,
                    "wall_seconds": round(wall, 3),
                    "orders_per_second": round(books["orders"] / wall, 1),
                    "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
                    "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
                    "no_oversell": books["orders"] == expected
                    and books["stock"] == args.stock - books["orders"]
                    and books["stock"] >= 0
                    and statuses.get("201", 0) == expected
                    and books["ledger_ok"],
                }
            )
    finally:
        _stop_server(server)
    print("| round | buyers | stock | orders | stock left | answers | orders/s | p50 ms | p99 ms | no oversell |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        answers_text = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        print(
            f"| {row['round']} | {row['buyers']} | {row['stock']} | {row['orders']} | {row['stock_left']} | "
            f"{answers_text} | {row['orders_per_second']} | {row['p50_ms']} | {row['p99_ms']} | {row['no_oversell']} |"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "checkout.json").write_text(
        json.dumps({"workers": args.workers, "server_log": str(SERVER_LOG), "rounds": rows}, indent=2) + "\n"
    )
    return 0 if all(row["no_oversell"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
