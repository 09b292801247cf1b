"""Rendering and validating k8s/ for the tests (and for `make infra-check`, through kustomize.py).

Core API objects are validated by kubernetes-validate against the schemas of the Kubernetes
version the Terraform code deploys (infra/terraform/variables.tf, kubernetes_version), in strict
mode: unknown fields are errors. Custom resources (Gateway API, cert-manager, External Secrets,
Envoy Gateway) are validated against the strict subsets in crd_schemas.yaml.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.infra.kustomize import render, resource_id

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
TERRAFORM = ROOT / "infra" / "terraform"
KUSTOMIZATIONS = ("base", "overlays/dev", "overlays/prod", "overlays/edge", "cluster")
CUSTOM_DOMAIN_TEMPLATE = K8S / "custom-domain" / "custom-domain.yaml"

Resource = dict[str, Any]


def kubernetes_version() -> str:
    """The default of the Terraform variable ``kubernetes_version`` (e.g. ``"1.35"``)."""
    text = (TERRAFORM / "variables.tf").read_text()
    match = re.search(r'variable "kubernetes_version" \{.*?default\s*=\s*"([0-9.]+)"', text, flags=re.DOTALL)
    assert match, "infra/terraform/variables.tf: no default for kubernetes_version"
    return match.group(1)


@cache
def rendered(kustomization: str) -> tuple[Resource, ...]:
    """The resources of ``k8s/<kustomization>``, rendered by the kustomize subset."""
    return tuple(render(K8S / kustomization))


def find(resources: tuple[Resource, ...] | list[Resource], kind: str, name: str) -> Resource:
    matches = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def custom_domain(domain: str, name: str) -> list[Resource]:
    """The custom-domain template rendered like `envsubst '${DOMAIN} ${NAME}'`."""
    text = CUSTOM_DOMAIN_TEMPLATE.read_text().replace("${DOMAIN}", domain).replace("${NAME}", name)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def real_kustomize() -> list[str] | None:
    """A command that runs kustomize v5 (``kustomize build`` or ``kubectl kustomize``), if installed.

    Older releases (Debian's kubectl 1.20 embeds kustomize v2) predate ``patches`` and are ignored.
    """
    candidates = []
    if shutil.which("kustomize"):
        candidates.append((["kustomize", "version"], ["kustomize", "build"]))
    if shutil.which("kubectl"):
        candidates.append((["kubectl", "version", "--client", "-o", "json"], ["kubectl", "kustomize"]))
    for probe, command in candidates:
        result = subprocess.run(probe, capture_output=True, text=True, check=False)
        match = re.search(r'(?:kustomizeVersion"\s*:\s*"|^)v?(\d+)\.', result.stdout, flags=re.MULTILINE)
        if result.returncode == 0 and match and int(match.group(1)) >= 5:
            return command
    return None


def render_with_real_kustomize(command: list[str], kustomization: str) -> dict[tuple[str, str, str, str], Resource]:
    result = subprocess.run([*command, str(K8S / kustomization)], capture_output=True, text=True, check=True)
    return {resource_id(r): r for r in yaml.safe_load_all(result.stdout) if r}


# ------------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------------


def _strict(schema: Any) -> Any:
    """Every object schema refuses properties it does not list (unless it says otherwise)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def _crd_validators() -> dict[str, jsonschema.Draft202012Validator]:
    document = yaml.safe_load((Path(__file__).parent / "crd_schemas.yaml").read_text())
    definitions = _strict(document["definitions"])
    validators = {}
    for key, kind_schema in document["kinds"].items():
        api_version, kind = key.rsplit("/", 1)
        schema = _strict(copy.deepcopy(kind_schema))
        schema["properties"] = {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": {"$ref": "#/definitions/metadata"},
            **schema["properties"],
        }
        schema["required"] = sorted({"apiVersion", "kind", "metadata", *schema.get("required", [])})
        schema["definitions"] = definitions
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[key] = jsonschema.Draft202012Validator(schema)
    return validators


def crd_kinds() -> set[str]:
    """``apiVersion/kind`` of every custom resource crd_schemas.yaml describes."""
    return set(_crd_validators())


def validate(resource: Resource) -> None:
    """Raise when ``resource`` does not match its schema (strictly) or has no known schema."""
    import kubernetes_validate

    key = f"{resource.get('apiVersion')}/{resource.get('kind')}"
    validator = _crd_validators().get(key)
    if validator is not None:
        errors = sorted(validator.iter_errors(resource), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(f"{'.'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors)
            raise AssertionError(f"{key} {resource['metadata'].get('name')}: {details}")
        return
    try:
        kubernetes_validate.validate(resource, kubernetes_version(), strict=True)
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise AssertionError(f"no schema for {key}: add its subset to tests/infra/crd_schemas.yaml") from exc
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(map(str, exc.path))
        raise AssertionError(f"{key} {resource['metadata'].get('name')}: {path}: {exc.message}") from exc
