"""k8s/ renders, validates strictly against the cluster's API schemas, and keeps its promises:
hardened pods, probes, beat replicas, migrations before the rollout, routes to real backends."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

pytest.importorskip("kubernetes_validate", reason="infra dependency group not installed: run `make infra-check`")

from tests.infra.kustomize import resource_id
from tests.infra.manifests import (
    K8S,
    KUSTOMIZATIONS,
    custom_domain,
    find,
    real_kustomize,
    render_with_real_kustomize,
    rendered,
    validate,
)

OVERLAYS = ("overlays/dev", "overlays/prod")
POD_OWNERS = {"Deployment", "Job"}


def _pod_templates(resources: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, Any]]]:
    return [(r["metadata"]["name"], r["spec"]["template"]) for r in resources if r["kind"] in POD_OWNERS]


def _containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


# ------------------------------------------------------------------------------------------------
# Rendering and schemas
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_kustomization_renders_and_every_resource_validates_strictly(kustomization: str) -> None:
    # given / when
    resources = rendered(kustomization)

    # then
    assert resources
    for resource in resources:
        validate(resource)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_python_renderer_matches_real_kustomize(kustomization: str) -> None:
    command = real_kustomize()
    if command is None:
        pytest.skip("neither kustomize nor kubectl is installed; the Python subset is the only renderer here")

    # given
    ours = {resource_id(r): r for r in rendered(kustomization)}

    # when
    theirs = render_with_real_kustomize(command, kustomization)

    # then
    assert ours.keys() == theirs.keys()
    for key, resource in ours.items():
        assert resource == theirs[key], f"{key} differs from {' '.join(command)}"


def test_validation_is_strict_unknown_fields_are_refused() -> None:
    # given: a typo in a container of the production web Deployment
    web = copy.deepcopy(find(rendered("overlays/prod"), "Deployment", "saas-web"))
    web["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {"path": "/readyz"}

    # when / then
    with pytest.raises(AssertionError, match="httpGett"):
        validate(web)


def test_validation_is_strict_for_custom_resources_too() -> None:
    # given: a misplaced field in the Gateway
    gateway = copy.deepcopy(find(rendered("overlays/prod"), "Gateway", "saas"))
    gateway["spec"]["listeners"][1]["certificateRefs"] = gateway["spec"]["listeners"][1]["tls"]["certificateRefs"]

    # when / then
    with pytest.raises(AssertionError, match="certificateRefs"):
        validate(gateway)


def test_custom_domain_template_validates_and_targets_the_platform_gateway() -> None:
    # given
    resources = custom_domain("shop.customer.com", "shop-customer-com")
    prod = rendered("overlays/prod")
    cluster = rendered("cluster")

    # when
    for resource in resources:
        validate(resource)

    # then
    certificate = find(resources, "Certificate", "domain-shop-customer-com")
    listener_set = find(resources, "ListenerSet", "domain-shop-customer-com")
    route = find(resources, "HTTPRoute", "domain-shop-customer-com")
    assert certificate["spec"]["dnsNames"] == ["shop.customer.com"]
    issuer = find(cluster, "ClusterIssuer", certificate["spec"]["issuerRef"]["name"])
    assert "http01" in issuer["spec"]["acme"]["solvers"][0]
    assert listener_set["spec"]["parentRef"]["name"] == find(prod, "Gateway", "saas")["metadata"]["name"]
    listener = listener_set["spec"]["listeners"][0]
    assert listener["hostname"] == "shop.customer.com"
    assert listener["tls"]["certificateRefs"][0]["name"] == certificate["spec"]["secretName"]
    assert route["spec"]["parentRefs"][0]["kind"] == "ListenerSet"
    assert route["spec"]["rules"] == find(prod, "HTTPRoute", "saas-web")["spec"]["rules"]


def test_operator_toolbox_validates_and_reaches_only_the_database() -> None:
    # given
    toolbox = yaml.safe_load((K8S / "ops" / "pg-toolbox.yaml").read_text())
    egress = find(rendered("overlays/prod"), "NetworkPolicy", "migrate-egress")

    # when
    validate(toolbox)

    # then: labelled like the migration Job, so only its egress policy applies
    labels = toolbox["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in egress["spec"]["podSelector"]["matchLabels"].items())
    assert toolbox["spec"]["automountServiceAccountToken"] is False
    assert toolbox["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True


# ------------------------------------------------------------------------------------------------
# What every workload promises
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_hardened(overlay: str) -> None:
    for name, template in _pod_templates(rendered(overlay)):
        spec = template["spec"]
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] >= 10000, name
        assert pod_security["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in _containers(spec):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert security["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert security["capabilities"]["drop"] == ["ALL"], (name, container["name"])
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][bound].keys(), (name, container["name"])
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and "emptyDir" in volumes[tmp[0]["name"]], (name, container["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_the_one_image_pinned_by_digest(overlay: str) -> None:
    images = {c["image"] for _, t in _pod_templates(rendered(overlay)) for c in _containers(t["spec"])}
    assert len(images) == 1
    assert "@sha256:" in images.pop()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_reads_the_config_map_and_the_secret(overlay: str) -> None:
    for name, template in _pod_templates(rendered(overlay)):
        for container in _containers(template["spec"]):
            sources = container["envFrom"]
            assert {"configMapRef": {"name": "saas-config"}} in sources, name
            assert {"secretRef": {"name": "saas-secrets"}} in sources, name


def test_web_is_an_asgi_server_with_startup_liveness_and_readiness_probes() -> None:
    # given
    web = find(rendered("overlays/prod"), "Deployment", "saas-web")
    container = web["spec"]["template"]["spec"]["containers"][0]

    # then
    assert container["command"] == ["gunicorn"]
    assert "saas.asgi:application" in container["args"]
    assert "--worker-class=uvicorn_worker.UvicornWorker" in container["args"]
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "replicas" not in web["spec"], "the HorizontalPodAutoscaler owns the replica count"


def test_uvicorn_worker_class_is_importable() -> None:
    from uvicorn_worker import UvicornWorker

    assert UvicornWorker.CONFIG_KWARGS["loop"] == "auto"


def test_worker_liveness_pings_this_worker_through_the_broker() -> None:
    # given
    worker = find(rendered("overlays/prod"), "Deployment", "saas-worker")
    container = worker["spec"]["template"]["spec"]["containers"][0]

    # then
    assert "--hostname=celery@%h" in container["args"]
    probe = " ".join(container["livenessProbe"]["exec"]["command"])
    assert "celery --app=saas inspect ping" in probe
    assert '--destination "celery@${HOSTNAME}"' in probe


def test_beat_runs_two_replicas_one_leading_rolled_without_a_gap_and_never_autoscaled() -> None:
    # given
    resources = rendered("overlays/prod")
    beat = find(resources, "Deployment", "saas-beat")

    # then: two replicas (one sends: the Redis leader lock), on different nodes when possible
    assert beat["spec"]["replicas"] == 2
    assert beat["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    [spread] = beat["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    hpa_targets = {r["spec"]["scaleTargetRef"]["name"] for r in resources if r["kind"] == "HorizontalPodAutoscaler"}
    assert hpa_targets == {"saas-web", "saas-worker"}
    pdb_components = {
        r["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
        for r in resources
        if r["kind"] == "PodDisruptionBudget"
    }
    assert pdb_components == {"web", "worker", "beat"}


def test_migration_job_migrates_public_first_then_tenants_with_the_parallel_executor() -> None:
    from django_tenants.migration_executors import get_executor

    # given
    job = find(rendered("overlays/prod"), "Job", "saas-migrate")
    spec = job["spec"]["template"]["spec"]

    # then
    (shared,) = spec["initContainers"]
    (tenants,) = spec["containers"]
    assert shared["command"] + shared["args"] == ["python", "manage.py", "migrate_schemas", "--shared", "--noinput"]
    assert tenants["args"][:3] == ["manage.py", "migrate_schemas", "--tenant"]
    executor = next(a.split("=", 1)[1] for a in tenants["args"] if a.startswith("--executor="))
    assert get_executor(executor).codename == "multiprocessing"
    assert spec["restartPolicy"] == "Never"


def test_autoscalers_use_autoscaling_v2_and_prod_keeps_more_web_pods_than_dev() -> None:
    def hpa(overlay: str, name: str) -> dict[str, Any]:
        return find(rendered(overlay), "HorizontalPodAutoscaler", name)

    for overlay in OVERLAYS:
        for name in ("saas-web", "saas-worker"):
            assert hpa(overlay, name)["apiVersion"] == "autoscaling/v2"
    prod_min = hpa("overlays/prod", "saas-web")["spec"]["minReplicas"]
    assert prod_min > hpa("overlays/dev", "saas-web")["spec"]["minReplicas"]


def test_namespace_denies_all_traffic_by_default_and_web_is_reached_only_from_the_gateway() -> None:
    # given
    resources = rendered("overlays/prod")

    # then
    deny = find(resources, "NetworkPolicy", "default-deny-all")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    ingress = find(resources, "NetworkPolicy", "web-from-gateway")["spec"]["ingress"]
    assert ingress == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}}],
            "ports": [{"protocol": "TCP", "port": 8000}],
        }
    ]
    egress_ports = {
        p["port"] for rule in find(resources, "NetworkPolicy", "app-egress")["spec"]["egress"] for p in rule["ports"]
    }
    assert egress_ports == {5432, 6379, 443, 80}  # PostgreSQL, Redis, HTTPS, Pod Identity agent


def test_routes_reach_the_web_service_through_existing_listeners() -> None:
    # given
    resources = rendered("overlays/prod")
    gateway = find(resources, "Gateway", "saas")
    listeners = {listener["name"] for listener in gateway["spec"]["listeners"]}
    service = find(resources, "Service", "saas-web")
    service_ports = {port["port"] for port in service["spec"]["ports"]}

    # then
    for route in (r for r in resources if r["kind"] == "HTTPRoute"):
        for parent in route["spec"]["parentRefs"]:
            assert parent["name"] == "saas" and parent["sectionName"] in listeners
        for rule in route["spec"]["rules"]:
            for backend in rule.get("backendRefs", []):
                assert backend["name"] == "saas-web" and backend["port"] in service_ports


def test_platform_domain_is_the_same_everywhere_in_each_overlay() -> None:
    for overlay in OVERLAYS:
        resources = rendered(overlay)
        domain = find(resources, "ConfigMap", "saas-config")["data"]["PLATFORM_DOMAIN"]
        hostnames = [listener.get("hostname") for listener in find(resources, "Gateway", "saas")["spec"]["listeners"]]
        assert hostnames == [None, domain, f"*.{domain}"], overlay
        assert find(resources, "Certificate", "saas-platform")["spec"]["dnsNames"] == [domain, f"*.{domain}"]


def test_no_secret_values_are_committed() -> None:
    for kustomization in KUSTOMIZATIONS:
        assert not [r for r in rendered(kustomization) if r["kind"] == "Secret"], kustomization
