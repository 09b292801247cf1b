"""A small, strict subset of kustomize, so CI can render k8s/ without the kustomize binary.

kustomize itself is a Go program that is not published on PyPI, npm or Debian (Debian's
kubernetes-client ships a 2019 kustomize). This module renders exactly the features k8s/ uses and
refuses everything else, so a kustomization that needs more fails loudly here instead of being
rendered wrongly:

* ``resources``: YAML files (one or more documents) and directories holding a kustomization;
* ``patches``: a file that is either a strategic-merge patch (one or more documents, each naming
  its target by apiVersion, kind, name and namespace) or a JSON 6902 patch (a YAML list of
  ``add`` / ``replace`` / ``remove`` operations) with an explicit ``target``;
* ``images``: ``name`` with ``newName``, ``newTag`` and/or ``digest`` (a digest replaces the tag),
  applied to every ``containers[].image`` and ``initContainers[].image``;
* ``components``: directories holding a ``kind: Component`` kustomization, whose resources,
  generators and patches apply to the including kustomization's resources (after its own
  ``resources``, before its own generators and patches, as kustomize orders them);
* ``configMapGenerator``: ``name``, ``namespace``, ``files`` (``path`` or ``key=path``) and
  ``options.labels``; the ConfigMap's name gets kustomize's content-hash suffix, and references to it
  from pod specs (volumes, projected volumes, ``envFrom``, ``configMapKeyRef``) are renamed to match,
  so a changed file rolls the pods that mount it.

Strategic merge follows the Kubernetes patch strategies of the fields k8s/ patches: maps merge
(``null`` deletes a key), lists of containers, init containers, env, volumes, volume mounts, ports
and topology spread constraints merge by their key, every other list is replaced. Custom resources
have no patch strategies, so all of their lists are replaced (as kustomize does).

When ``kubectl`` or ``kustomize`` is installed, tests/infra/test_kubernetes.py renders every
kustomization with both and requires identical output.

Command line: ``python -m tests.infra.kustomize k8s/overlays/prod`` prints the rendered YAML.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_SUPPORTED_KEYS = {"apiVersion", "kind", "resources", "components", "configMapGenerator", "patches", "images"}
_KINDS = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}

# Kinds whose fields follow the Kubernetes API's patch strategies (everything built in).
_BUILTIN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io"}

# Strategic-merge keys of the list fields k8s/ patches, by the name of the list's field.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}


class KustomizeError(Exception):
    """The kustomization uses something this subset does not implement, or is invalid."""


def render(directory: str | Path) -> list[Resource]:
    """Render the kustomization in ``directory`` into a list of resources."""
    renames: dict[tuple[str, str], str] = {}
    resources = _build(Path(directory).resolve(), stack=(), renames=renames)
    _rename_config_map_references(resources, renames)
    return resources


def render_yaml(directory: str | Path) -> str:
    """Render ``directory`` as a multi-document YAML string."""
    return yaml.safe_dump_all(render(directory), sort_keys=True, default_flow_style=False)


def resource_id(resource: Resource) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name): what kustomize considers one resource."""
    meta = resource.get("metadata") or {}
    return (resource.get("apiVersion", ""), resource.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))


def _kustomization_file(directory: Path) -> Path:
    for name in _KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    raise KustomizeError(f"no kustomization file in {directory}")


def _load_documents(path: Path) -> list[Any]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def _load_config(directory: Path, kind: str) -> dict[str, Any]:
    config = yaml.safe_load(_kustomization_file(directory).read_text()) or {}
    unknown = set(config) - _SUPPORTED_KEYS
    if unknown:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    if config.get("kind", "Kustomization") != kind or config.get("apiVersion", _KINDS[kind]) != _KINDS[kind]:
        raise KustomizeError(f"{directory}: expected a {kind} ({_KINDS[kind]})")
    return config


def _build(directory: Path, stack: tuple[Path, ...], renames: dict[tuple[str, str], str]) -> list[Resource]:
    if directory in stack:
        raise KustomizeError(f"cycle: {directory} includes itself")
    config = _load_config(directory, "Kustomization")
    resources: list[Resource] = []
    _accumulate(directory, config, resources, (*stack, directory), renames)
    return resources


def _accumulate(
    directory: Path,
    config: dict[str, Any],
    resources: list[Resource],
    stack: tuple[Path, ...],
    renames: dict[tuple[str, str], str],
) -> None:
    """Apply one kustomization (or component) ``config`` to ``resources``, in kustomize's order."""
    for entry in config.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            loaded = _build(path, stack, renames)
        elif path.is_file():
            loaded = _load_documents(path)
        else:
            raise KustomizeError(f"{directory}: resource {entry!r} not found")
        _add(resources, loaded, path)

    for entry in config.get("components", []):
        path = (directory / entry).resolve()
        if path in stack:
            raise KustomizeError(f"cycle: {path} includes itself")
        _accumulate(path, _load_config(path, "Component"), resources, (*stack, path), renames)

    for generator in config.get("configMapGenerator", []):
        config_map = _generate_config_map(directory, generator)
        original = config_map["metadata"]["name"]
        config_map["metadata"]["name"] = f"{original}-{_config_map_hash(config_map)}"
        renames[(config_map["metadata"].get("namespace", ""), original)] = config_map["metadata"]["name"]
        _add(resources, [config_map], directory)

    for patch in config.get("patches", []):
        _apply_patch(directory, patch, resources)
    for image in config.get("images", []):
        _apply_image(image, resources)


def _add(resources: list[Resource], loaded: list[Any], source: Path) -> None:
    seen = {resource_id(r) for r in resources}
    for resource in loaded:
        if not isinstance(resource, dict) or "kind" not in resource:
            raise KustomizeError(f"{source}: not a Kubernetes resource: {resource!r}")
        rid = resource_id(resource)
        if rid in seen:
            raise KustomizeError(f"{source}: resource {rid} is defined twice")
        seen.add(rid)
        resources.append(resource)


# ------------------------------------------------------------------------------------------------
# Generated ConfigMaps
# ------------------------------------------------------------------------------------------------


def _generate_config_map(directory: Path, generator: dict[str, Any]) -> Resource:
    unknown = set(generator) - {"name", "namespace", "files", "options"}
    unknown_options = set(generator.get("options", {})) - {"labels"}
    if unknown or unknown_options or "name" not in generator:
        raise KustomizeError(f"{directory}: unsupported configMapGenerator {generator}")
    data: dict[str, str] = {}
    for entry in generator.get("files", []):
        key, _, path = entry.rpartition("=")
        file = (directory / path).resolve()
        if not file.is_relative_to(directory):
            raise KustomizeError(f"{directory}: {path} is outside the kustomization (kustomize refuses it)")
        data[key or file.name] = file.read_text()
    metadata: dict[str, Any] = {"name": generator["name"]}
    if "namespace" in generator:
        metadata["namespace"] = generator["namespace"]
    if generator.get("options", {}).get("labels"):
        metadata["labels"] = dict(generator["options"]["labels"])
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


def _config_map_hash(config_map: Resource) -> str:
    """kustomize's name suffix (api/hasher): the SHA-256 of Go's JSON of kind, name and data, its
    first ten hex digits with 0, 1, 3, a, e replaced (so the suffix never reads as a number).

    kustomize v5 looks the name up as one field called ``metadata/name``, finds none, and hashes an
    empty name; so does this (checked against ``kubectl kustomize`` v5.5)."""
    encoded = json.dumps(
        {"data": config_map["data"], "kind": "ConfigMap", "name": ""},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    # Go's encoding/json escapes these for HTML safety; the hash is of Go's bytes.
    for char in "&<>\u2028\u2029":
        encoded = encoded.replace(char, f"\\u{ord(char):04x}")
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def _rename_config_map_references(resources: list[Resource], renames: dict[tuple[str, str], str]) -> None:
    """Point pod specs at the generated (suffixed) names of the ConfigMaps they name."""

    def rename(namespace: str, reference: Any) -> None:
        if isinstance(reference, dict) and (namespace, reference.get("name")) in renames:
            reference["name"] = renames[(namespace, reference["name"])]

    def walk(node: Any, namespace: str) -> None:
        if isinstance(node, dict):
            if "containers" in node and isinstance(node["containers"], list):
                for volume in node.get("volumes", []):
                    rename(namespace, volume.get("configMap"))
                    for source in (volume.get("projected") or {}).get("sources", []):
                        rename(namespace, source.get("configMap"))
                for container in [*node.get("initContainers", []), *node["containers"]]:
                    for source in container.get("envFrom", []):
                        rename(namespace, source.get("configMapRef"))
                    for variable in container.get("env", []):
                        rename(namespace, (variable.get("valueFrom") or {}).get("configMapKeyRef"))
            for value in node.values():
                walk(value, namespace)
        elif isinstance(node, list):
            for item in node:
                walk(item, namespace)

    if renames:
        for resource in resources:
            walk(resource, (resource.get("metadata") or {}).get("namespace", ""))


# ------------------------------------------------------------------------------------------------
# Patches
# ------------------------------------------------------------------------------------------------


def _apply_patch(directory: Path, patch: dict[str, Any], resources: list[Resource]) -> None:
    unknown = set(patch) - {"path", "target"}
    if unknown or "path" not in patch:
        raise KustomizeError(f"{directory}: only patches with 'path' (and 'target') are supported: {patch}")
    documents = _load_documents(directory / patch["path"])
    if len(documents) == 1 and isinstance(documents[0], list):
        if "target" not in patch:
            raise KustomizeError(f"{patch['path']}: a JSON 6902 patch needs a target")
        for resource in _select(resources, patch["target"], patch["path"]):
            for operation in documents[0]:
                _json6902(resource, operation, patch["path"])
        return
    if "target" in patch:
        raise KustomizeError(f"{patch['path']}: strategic-merge patches here name their own target")
    for document in documents:
        target = _find(resources, document, patch["path"])
        merged = _merge(target, document, builtin=_is_builtin(target), field="")
        target.clear()
        target.update(merged)


def _is_builtin(resource: Resource) -> bool:
    api_version = resource.get("apiVersion", "")
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return group in _BUILTIN_GROUPS


def _find(resources: list[Resource], patch: Resource, source: str) -> Resource:
    wanted = resource_id(patch)
    matches = [r for r in resources if resource_id(r) == wanted]
    if len(matches) != 1:
        raise KustomizeError(f"{source}: patch target {wanted} matches {len(matches)} resources")
    return matches[0]


def _select(resources: list[Resource], target: dict[str, Any], source: str) -> list[Resource]:
    unknown = set(target) - {"group", "version", "kind", "name", "namespace"}
    if unknown:
        raise KustomizeError(f"{source}: unsupported target selectors {sorted(unknown)}")
    selected = []
    for resource in resources:
        api_version = resource.get("apiVersion", "")
        group, _, version = api_version.rpartition("/")
        meta = resource.get("metadata") or {}
        checks = {
            "group": group,
            "version": version,
            "kind": resource.get("kind"),
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
        }
        if all(checks[key] == value for key, value in target.items()):
            selected.append(resource)
    if not selected:
        raise KustomizeError(f"{source}: target {target} matches no resource")
    return selected


def _merge(base: Any, patch: Any, *, builtin: bool, field: str) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        if any(key.startswith("$") for key in patch):
            raise KustomizeError(f"strategic-merge directives are not supported: {sorted(patch)}")
        result = dict(base)
        for key, value in patch.items():
            if value is None:
                result.pop(key, None)
            elif key in result:
                result[key] = _merge(result[key], value, builtin=builtin, field=key)
            else:
                result[key] = copy.deepcopy(value)
        return result
    if isinstance(base, list) and isinstance(patch, list) and builtin:
        key = _list_merge_key(field, base + patch)
        if key is not None:
            return _merge_list(base, patch, key, builtin=builtin)
    return copy.deepcopy(patch)


def _list_merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":  # a container's ports merge by containerPort, a Service's by port
        if all(isinstance(i, dict) and "containerPort" in i for i in items):
            return "containerPort"
        if all(isinstance(i, dict) and "port" in i and "targetPort" in i for i in items):
            return "port"
        return None
    key = _MERGE_KEYS.get(field)
    if key is None:
        return None
    if not all(isinstance(i, dict) and key in i for i in items):
        raise KustomizeError(f"list {field!r}: every item needs its merge key {key!r}")
    return key


def _merge_list(base: list[Any], patch: list[Any], key: str, *, builtin: bool) -> list[Any]:
    # kustomize's order: the patch's items in the patch's order (each merged into the base item
    # with the same key, if any), then the base items the patch does not mention.
    by_key = {item[key]: item for item in base}
    merged = [
        _merge(by_key[item[key]], item, builtin=builtin, field="") if item[key] in by_key else copy.deepcopy(item)
        for item in patch
    ]
    mentioned = {item[key] for item in patch}
    return merged + [copy.deepcopy(item) for item in base if item[key] not in mentioned]


def _json6902(resource: Resource, operation: dict[str, Any], source: str) -> None:
    op = operation.get("op")
    if op not in {"add", "replace", "remove"}:
        raise KustomizeError(f"{source}: unsupported JSON patch operation {op!r}")
    path = operation.get("path", "")
    if not path.startswith("/"):
        raise KustomizeError(f"{source}: invalid JSON pointer {path!r}")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    parent: Any = resource
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if isinstance(parent, list):
        if op == "add" and last == "-":
            parent.append(copy.deepcopy(operation["value"]))
            return
        position = int(last)
        if op == "add":
            parent.insert(position, copy.deepcopy(operation["value"]))
        elif op == "replace":
            parent[position] = copy.deepcopy(operation["value"])
        else:
            del parent[position]
        return
    if op == "replace" and last not in parent:
        raise KustomizeError(f"{source}: cannot replace missing {path}")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = copy.deepcopy(operation["value"])


# ------------------------------------------------------------------------------------------------
# Images
# ------------------------------------------------------------------------------------------------


def _split_image(image: str) -> tuple[str, str, str]:
    """("registry/name", ":tag" or "", "@digest" or "")."""
    name, _, digest = image.partition("@")
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest


def _apply_image(image: dict[str, Any], resources: list[Resource]) -> None:
    unknown = set(image) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise KustomizeError(f"unsupported image fields {sorted(unknown)}")

    def rewrite(value: str) -> str:
        name, tag, digest = _split_image(value)
        if name != image["name"]:
            return value
        name = image.get("newName", name)
        if "digest" in image:
            return f"{name}@{image['digest']}"
        if "newTag" in image:
            return f"{name}:{image['newTag']}"
        return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in {"containers", "initContainers"} and isinstance(value, list):
                    for container in value:
                        if isinstance(container, dict) and isinstance(container.get("image"), str):
                            container["image"] = rewrite(container["image"])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(resources)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.infra.kustomize <kustomization directory>", file=sys.stderr)
        return 2
    sys.stdout.write(render_yaml(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
