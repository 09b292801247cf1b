"""End-to-end fixtures: the live application server and its DNS stub (``tests/live.py``)."""

from tests.live import app_server, app_server_env, live_dns_stub  # noqa: F401 (fixtures)
