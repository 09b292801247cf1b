"""The Caddy TLS edge (k8s/edge, rendered by k8s/overlays/edge) keeps its promises: the Caddyfile
is the one source of its configuration, the pod is hardened like the platform's own, certificates
live on a volume, the web pods take traffic from the gateway and the edge only, and the ask endpoint
is never served to the outside world, neither by the edge nor by the gateway.

docs/operations.md, "Custom domains: two ways to serve HTTPS", explains the design.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3

from saas.errors import ErrorCode
from tests.infra.kustomize import render
from tests.infra.manifests import K8S, custom_domain, find, rendered

EDGE = "overlays/edge"
CADDYFILE = K8S / "edge" / "Caddyfile"
ASK_PATH = "/api/v1/tls/ask/"


def _edge_pod(resources: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> dict[str, Any]:
    return find(resources, "StatefulSet", "saas-edge")["spec"]["template"]


def _caddy(pod: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod["spec"]["containers"]
    return container


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {variable["name"]: variable for variable in container["env"]}


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects ``labels``."""
    operators = {
        "In": lambda key, values: labels.get(key) in values,
        "NotIn": lambda key, values: labels.get(key) not in values,
        "Exists": lambda key, _: key in labels,
        "DoesNotExist": lambda key, _: key not in labels,
    }
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()) and all(
        operators[e["operator"]](e["key"], e.get("values", [])) for e in selector.get("matchExpressions", [])
    )


# ------------------------------------------------------------------------------------------------
# The Caddyfile is the one source
# ------------------------------------------------------------------------------------------------


def test_the_edge_mounts_the_caddyfile_itself_under_a_name_that_follows_its_content() -> None:
    # given
    resources = rendered(EDGE)
    pod = _edge_pod(resources)
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "caddyfile")

    # when
    config_map = find(resources, "ConfigMap", volume["configMap"]["name"])

    # then: the file byte for byte, where the container's command reads it
    assert config_map["data"] == {"Caddyfile": CADDYFILE.read_text()}
    mount = next(m for m in _caddy(pod)["volumeMounts"] if m["name"] == "caddyfile")
    assert f"--config={mount['mountPath']}/Caddyfile" in _caddy(pod)["args"]
    assert re.fullmatch(r"saas-edge-caddyfile-[a-z0-9]{10}", config_map["metadata"]["name"])


def test_changing_the_caddyfile_renames_the_config_map_so_the_edge_pod_restarts(tmp_path: Path) -> None:
    # given: a copy of k8s/ with one more comment line in the Caddyfile
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    (copy / "edge" / "Caddyfile").write_text(CADDYFILE.read_text() + "# changed\n")
    before = _edge_pod(rendered(EDGE))

    # when
    after = _edge_pod(render(copy / EDGE))

    # then
    name = {v["name"]: v for v in before["spec"]["volumes"]}["caddyfile"]["configMap"]["name"]
    new_name = {v["name"]: v for v in after["spec"]["volumes"]}["caddyfile"]["configMap"]["name"]
    assert new_name != name
    assert new_name.startswith("saas-edge-caddyfile-")


def test_config_map_name_suffix_is_the_one_kustomize_computes() -> None:
    # given: a generator kustomize v5.5 (`kubectl kustomize`) rendered as "x-dhdgtdmfh9"
    from tests.infra.kustomize import _config_map_hash

    # when
    suffix = _config_map_hash({"metadata": {"name": "x"}, "data": {"f.txt": "hello\n"}})

    # then
    assert suffix == "dhdgtdmfh9"


def test_every_variable_the_caddyfile_reads_is_set_by_the_pod_or_defaults_to_what_the_pod_expects() -> None:
    # given
    container = _caddy(_edge_pod(rendered(EDGE)))
    env = _env(container)
    code = "\n".join(line for line in CADDYFILE.read_text().splitlines() if not line.lstrip().startswith("#"))
    read = dict(re.findall(r"\{\$([A-Z_]+)(?::([^}]*))?\}", code))

    # then: the ports and the admin address keep their defaults, which the container declares
    defaults = {name: default for name, default in read.items() if name not in env}
    assert defaults == {
        "CADDY_HTTP_PORT": "80",
        "CADDY_HTTPS_PORT": "443",
        "CADDY_ASK_PORT": "9180",
        "CADDY_ADMIN": "localhost:2019",
    }
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 80, "https": 443}
    assert {"UPSTREAM", "PLATFORM_DOMAIN", "TLS_ASK_TOKEN", "CADDY_ISSUER", "CADDY_ACME_EMAIL"} <= env.keys()
    assert env["CADDY_ISSUER"]["value"] == "acme"


# ------------------------------------------------------------------------------------------------
# What the edge pod reads and where it sends requests
# ------------------------------------------------------------------------------------------------


def test_the_edge_proxies_to_the_web_service_and_asks_with_the_platforms_own_domain_and_token() -> None:
    # given
    resources = rendered(EDGE)
    env = _env(_caddy(_edge_pod(resources)))
    web = find(resources, "Service", "saas-web")

    # then: UPSTREAM is the web Service's name and one of its ports
    host, port = env["UPSTREAM"]["value"].rsplit(":", 1)
    assert host in {"saas-web", "saas-web.saas", "saas-web.saas.svc.cluster.local"}
    assert int(port) in {p["port"] for p in web["spec"]["ports"]}

    # and the platform domain and the token come from where the web pods read them
    platform = env["PLATFORM_DOMAIN"]["valueFrom"]["configMapKeyRef"]
    assert platform == {"name": "saas-config", "key": "PLATFORM_DOMAIN"}
    assert "PLATFORM_DOMAIN" in find(resources, "ConfigMap", "saas-config")["data"]
    token = env["TLS_ASK_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": "saas-secrets", "key": "TLS_ASK_TOKEN"}
    external_secret = find(resources, "ExternalSecret", "saas-secrets")
    assert external_secret["spec"]["target"]["name"] == "saas-secrets"
    assert "TLS_ASK_TOKEN" in external_secret["spec"]["target"]["template"]["data"]


def test_the_edge_has_its_own_service_account_without_the_apps_aws_role() -> None:
    # given
    resources = rendered(EDGE)
    spec = _edge_pod(resources)["spec"]

    # then
    assert spec["serviceAccountName"] == "saas-edge"
    assert find(resources, "ServiceAccount", "saas-edge")["automountServiceAccountToken"] is False
    assert spec["automountServiceAccountToken"] is False


# ------------------------------------------------------------------------------------------------
# Hardening, storage, probes
# ------------------------------------------------------------------------------------------------


def test_the_edge_pod_is_hardened_like_the_platforms_pods() -> None:
    # given
    spec = _edge_pod(rendered(EDGE))["spec"]
    container = _caddy(_edge_pod(rendered(EDGE)))
    volumes = {v["name"]: v for v in spec["volumes"]}

    # then
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] >= 10000
    assert pod_security["seccompProfile"]["type"] == "RuntimeDefault"
    # ports 80 and 443 without root: the namespaced sysctl, not a capability of the process
    assert {"name": "net.ipv4.ip_unprivileged_port_start", "value": "80"} in pod_security["sysctls"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # the official binary carries cap_net_bind_service as a file capability: the bounding set must
    # keep it or exec fails; nothing else is added
    assert security["capabilities"].get("add", []) == ["NET_BIND_SERVICE"]
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][bound].keys()
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in volumes[tmp["name"]]


def test_the_edge_runs_the_official_caddy_image_pinned_by_digest() -> None:
    image = _caddy(_edge_pod(rendered(EDGE)))["image"]
    assert re.fullmatch(r"docker\.io/library/caddy:2\.\d+\.\d+@sha256:[0-9a-f]{64}", image)


def test_certificates_live_on_a_volume_that_outlives_pods_and_the_stateful_set() -> None:
    # given
    stateful_set = find(rendered(EDGE), "StatefulSet", "saas-edge")
    container = _caddy(stateful_set["spec"]["template"])
    env = _env(container)

    # then: Caddy's data directory (XDG_DATA_HOME) is the claim of the volume template
    (claim,) = stateful_set["spec"]["volumeClaimTemplates"]
    data_mount = next(m for m in container["volumeMounts"] if m["mountPath"] == env["XDG_DATA_HOME"]["value"])
    assert data_mount["name"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert stateful_set["spec"]["replicas"] == 1, "file storage on a ReadWriteOnce volume: one pod"
    assert stateful_set["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    # and the autosaved configuration goes to a scratch volume, not the read-only root
    config_mount = next(m for m in container["volumeMounts"] if m["mountPath"] == env["XDG_CONFIG_HOME"]["value"])
    volumes = {v["name"]: v for v in stateful_set["spec"]["template"]["spec"]["volumes"]}
    assert "emptyDir" in volumes[config_mount["name"]]


def test_the_edge_is_probed_and_covered_by_a_disruption_budget() -> None:
    # given
    resources = rendered(EDGE)
    pod = _edge_pod(resources)
    container = _caddy(pod)

    # then
    assert container["readinessProbe"]["tcpSocket"]["port"] == "https"
    assert container["livenessProbe"]["tcpSocket"]["port"] == "https"
    budget = find(resources, "PodDisruptionBudget", "saas-edge")
    assert _selects(budget["spec"]["selector"], pod["metadata"]["labels"])
    assert budget["spec"]["maxUnavailable"] == 1  # never blocks a node drain with one replica


def test_the_edge_service_is_a_load_balancer_for_80_and_443_of_the_edge_pods_only() -> None:
    # given
    resources = rendered(EDGE)
    service = find(resources, "Service", "saas-edge")
    edge_labels = _edge_pod(resources)["metadata"]["labels"]
    web_labels = find(resources, "Deployment", "saas-web")["spec"]["template"]["metadata"]["labels"]

    # then
    assert service["spec"]["type"] == "LoadBalancer"
    assert {(p["port"], p["targetPort"]) for p in service["spec"]["ports"]} == {(80, "http"), (443, "https")}
    assert _selects({"matchLabels": service["spec"]["selector"]}, edge_labels)
    assert not _selects({"matchLabels": service["spec"]["selector"]}, web_labels)


# ------------------------------------------------------------------------------------------------
# Network policies
# ------------------------------------------------------------------------------------------------


def _policies_for(resources: tuple[dict[str, Any], ...], labels: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return [
        r
        for r in resources
        if r["kind"] == "NetworkPolicy"
        and kind in r["spec"]["policyTypes"]
        and _selects(r["spec"]["podSelector"], labels)
        and (r["spec"]["podSelector"] != {} or r["metadata"]["name"] != "default-deny-all")
    ]


def test_web_pods_accept_the_gateway_and_the_edge_pods_only_on_the_web_port() -> None:
    # given
    resources = rendered(EDGE)
    web_labels = find(resources, "Deployment", "saas-web")["spec"]["template"]["metadata"]["labels"]
    edge_labels = _edge_pod(resources)["metadata"]["labels"]

    # when
    rules = [rule for p in _policies_for(resources, web_labels, "Ingress") for rule in p["spec"]["ingress"]]

    # then
    assert len(rules) == 2
    assert all(rule["ports"] == [{"protocol": "TCP", "port": 8000}] for rule in rules)
    sources = [peer for rule in rules for peer in rule["from"]]
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}} in sources
    pod_peers = [peer["podSelector"] for peer in sources if "podSelector" in peer]
    assert len(pod_peers) == 1 and "namespaceSelector" not in pod_peers[0]
    assert _selects(pod_peers[0], edge_labels)
    assert not _selects(pod_peers[0], web_labels)


def test_without_the_edge_the_web_pods_accept_the_gateway_only() -> None:
    # given
    resources = rendered("overlays/prod")

    # then
    assert not [r for r in resources if r["metadata"]["name"].startswith("saas-edge")]
    (rule,) = find(resources, "NetworkPolicy", "web-from-gateway")["spec"]["ingress"]
    assert [list(peer) for peer in rule["from"]] == [["namespaceSelector"]]


def test_the_edge_takes_80_and_443_from_anywhere_and_reaches_only_web_dns_and_the_internet() -> None:
    # given
    resources = rendered(EDGE)
    edge_labels = _edge_pod(resources)["metadata"]["labels"]
    web_labels = find(resources, "Deployment", "saas-web")["spec"]["template"]["metadata"]["labels"]

    # when
    ingress = [rule for p in _policies_for(resources, edge_labels, "Ingress") for rule in p["spec"]["ingress"]]
    egress = [rule for p in _policies_for(resources, edge_labels, "Egress") for rule in p["spec"]["egress"]]

    # then
    assert ingress == [{"ports": [{"protocol": "TCP", "port": 80}, {"protocol": "TCP", "port": 443}]}]
    ports = {(p.get("protocol"), p["port"]) for rule in egress for p in rule["ports"]}
    assert ports == {("UDP", 53), ("TCP", 53), ("TCP", 8000), ("TCP", 443)}
    (to_web,) = [rule for rule in egress if rule["ports"] == [{"protocol": "TCP", "port": 8000}]]
    assert [_selects(peer["podSelector"], web_labels) for peer in to_web["to"]] == [True]
    (to_internet,) = [rule for rule in egress if rule["ports"] == [{"protocol": "TCP", "port": 443}]]
    (block,) = [peer["ipBlock"] for peer in to_internet["to"]]
    assert block["cidr"] == "0.0.0.0/0"
    # not the database's or the cache's subnets (nor anything else in the VPC)
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} <= set(block["except"])
    assert "app-egress" not in {p["metadata"]["name"] for p in _policies_for(resources, edge_labels, "Egress")}


# ------------------------------------------------------------------------------------------------
# The ask endpoint is not served to the outside world
# ------------------------------------------------------------------------------------------------


def _not_found_body() -> dict[str, Any]:
    return {"error": {"code": ErrorCode.NOT_FOUND.value, "message": "Not found."}}


@pytest.mark.parametrize("route_source", ["platform", "custom-domain"])
def test_the_gateway_answers_the_ask_path_with_the_json_404_on_every_route(route_source: str) -> None:
    # given
    resources = rendered("overlays/prod")
    if route_source == "platform":
        route = find(resources, "HTTPRoute", "saas-web")
    else:
        route = find(custom_domain("shop.customer.com", "shop-customer-com"), "HTTPRoute", "domain-shop-customer-com")

    # when
    (rule,) = [
        rule
        for rule in route["spec"]["rules"]
        if any(ASK_PATH.startswith(m["path"]["value"]) and m["path"]["value"] != "/" for m in rule["matches"])
    ]

    # then: no backend, a direct response with the platform's error shape
    assert "backendRefs" not in rule
    (match,) = rule["matches"]
    assert match["path"] == {"type": "PathPrefix", "value": "/api/v1/tls/ask"}
    (extension,) = [f["extensionRef"] for f in rule["filters"] if f["type"] == "ExtensionRef"]
    response = find(resources, extension["kind"], extension["name"])["spec"]["directResponse"]
    assert response["statusCode"] == 404
    assert response["contentType"] == "application/json"
    assert json.loads(response["body"]["inline"]) == _not_found_body()


def test_the_edges_public_site_answers_the_ask_path_with_the_same_json_404() -> None:
    # given
    text = CADDYFILE.read_text()

    # when
    (body,) = re.findall(r"respond `([^`]*)` 404", text)

    # then
    assert json.loads(body) == _not_found_body()
    assert re.search(r"@ask path /api/v1/tls/ask /api/v1/tls/ask/\*", text)


# ------------------------------------------------------------------------------------------------
# The Caddyfile with a real Caddy (Debian's package, as CI installs it) and a stand-in platform
# ------------------------------------------------------------------------------------------------


class _Platform(BaseHTTPRequestHandler):
    """Answers the ask for one domain (with the right Host and token), echoes everything else."""

    asks: list[dict[str, Any]] = []
    allowed = "shop.customer.test"
    platform = "platform.test"
    token = "edge-test-token"

    def do_GET(self) -> None:
        """Record ask requests; answer them 200 or 404; echo any other request as JSON."""
        url = urlsplit(self.path)
        if url.path == ASK_PATH:
            query = parse_qs(url.query)
            ask = {"host": self.headers["Host"], "authorization": self.headers["Authorization"], "query": query}
            type(self).asks.append(ask)
            allowed = (
                ask["host"] == self.platform
                and ask["authorization"] == f"Bearer {self.token}"
                and query.get("domain") == [self.allowed]
            )
            self.send_response(200 if allowed else 404)
            self.end_headers()
            return
        body = json.dumps({"host": self.headers["Host"], "proto": self.headers["X-Forwarded-Proto"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Caddy running k8s/edge/Caddyfile with its internal CA in front of the stand-in platform."""
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (Debian: apt-get install caddy)")
    _Platform.asks = []
    platform = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    threading.Thread(target=platform.serve_forever, daemon=True).start()
    https_port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "UPSTREAM": f"127.0.0.1:{platform.server_address[1]}",
        "PLATFORM_DOMAIN": _Platform.platform,
        "TLS_ASK_TOKEN": _Platform.token,
        "CADDY_ISSUER": "internal",
        "CADDY_HTTP_PORT": str(_free_port()),
        "CADDY_HTTPS_PORT": str(https_port),
        "CADDY_ASK_PORT": str(_free_port()),
        "CADDY_ADMIN": f"localhost:{_free_port()}",
    }
    process = subprocess.Popen(
        [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    root = tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        deadline = time.monotonic() + 30
        while not root.exists() or socket.socket().connect_ex(("127.0.0.1", https_port)) != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"caddy did not start: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield {"port": https_port, "ca": str(root)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        platform.shutdown()


def _get(edge: dict[str, Any], host: str, path: str) -> urllib3.BaseHTTPResponse:
    pool = urllib3.HTTPSConnectionPool(
        "127.0.0.1",
        edge["port"],
        server_hostname=host,
        assert_hostname=host,
        ca_certs=edge["ca"],
        retries=False,
        timeout=20,
    )
    return pool.request("GET", path, headers={"Host": host})


def test_caddy_asks_the_platform_with_its_host_and_token_then_serves_an_allowed_domain(edge: dict[str, Any]) -> None:
    # when
    response = _get(edge, _Platform.allowed, "/api/v1/site/")

    # then: one ask, to the platform host, the token as a bearer header (not in the URL)
    assert response.status == 200
    assert json.loads(response.data) == {"host": _Platform.allowed, "proto": "https"}
    assert _Platform.asks == [
        {
            "host": _Platform.platform,
            "authorization": f"Bearer {_Platform.token}",
            "query": {"domain": [_Platform.allowed]},
        }
    ]


def test_caddy_gets_no_certificate_for_a_domain_the_platform_refuses(edge: dict[str, Any]) -> None:
    # when
    with pytest.raises(urllib3.exceptions.SSLError):
        _get(edge, "someone-else.test", "/api/v1/site/")

    # then
    assert [ask["query"]["domain"] for ask in _Platform.asks] == [["someone-else.test"]]


def test_caddy_answers_the_ask_path_from_outside_with_the_json_404(edge: dict[str, Any]) -> None:
    # when: a client on an allowed domain tries the ask endpoint through the edge
    response = _get(edge, _Platform.allowed, f"{ASK_PATH}?domain=victim.test")

    # then: only Caddy's own ask (for the certificate) reached the platform
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.data) == _not_found_body()
    assert [ask["query"]["domain"] for ask in _Platform.asks] == [[_Platform.allowed]]
