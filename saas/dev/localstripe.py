"""localstripe with what the platform needs and it lacks: dev/test tooling, never used in production.

``python -m saas.dev.localstripe --port 8420 --from-scratch`` (the same command line as
``localstripe``): imports localstripe's resources, adds ``saas.dev.localstripe_billing`` (Prices,
Checkout and Billing Portal sessions) and, when it exists, ``saas.dev.localstripe_connect``
(Stripe Connect), then runs localstripe's server. The extensions register their routes in
localstripe's ``extra_apis`` list, which ``localstripe.server`` reads when it is imported: so
they are imported first.

``LOCALSTRIPE_NO_DISK=1`` turns off localstripe's on-disk store (``/tmp/localstripe.pickle``,
shared by every localstripe on the machine): the tests set it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os


def main() -> None:
    """Load the extensions, then start localstripe's server (it parses ``sys.argv``)."""
    import localstripe.resources as resources

    if os.environ.get("LOCALSTRIPE_NO_DISK"):
        resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    importlib.import_module("saas.dev.localstripe_billing")
    if importlib.util.find_spec("saas.dev.localstripe_connect") is not None:
        importlib.import_module("saas.dev.localstripe_connect")
    from localstripe.server import start

    start()


if __name__ == "__main__":
    main()
