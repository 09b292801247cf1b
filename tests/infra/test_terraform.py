"""infra/terraform parses, is formatted, documents its interface, and agrees with k8s/.

`terraform validate` needs `terraform init`, which downloads providers and modules from the
Terraform Registry; CI has no network, so these tests check what can be checked offline. Run
`terraform init -backend=false && terraform validate` wherever the registry is reachable.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

hcl2 = pytest.importorskip("hcl2", reason="infra dependency group not installed: run `make infra-check`")

from tests.infra.manifests import ROOT, TERRAFORM, find, rendered  # noqa: E402

TF_FILES = sorted((ROOT / "infra").rglob("*.tf"))


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps string literals quoted: '"saas"' -> 'saas'."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


@cache
def _parsed(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return hcl2.load(handle)


def _blocks(kind: str) -> dict[str, dict[str, Any]]:
    """Every top-level block of ``kind`` (variable, output, module, ...) by its name."""
    blocks: dict[str, dict[str, Any]] = {}
    for path in TF_FILES:
        for entry in _parsed(path).get(kind, []):
            for name, body in entry.items():
                blocks[_unquote(name)] = body
    return blocks


def _resources(resource_type: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in TF_FILES:
        for entry in _parsed(path).get("resource", []):
            for rtype, named in entry.items():
                if _unquote(rtype) == resource_type:
                    found.update({_unquote(name): body for name, body in named.items()})
    return found


def test_there_is_terraform_code() -> None:
    assert len(TF_FILES) >= 10


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_tf_file_parses(path: Path) -> None:
    assert isinstance(_parsed(path), dict)


def test_terraform_fmt_check() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed (it is not packaged for Debian or PyPI); the files still parse above")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(ROOT / "infra")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_every_variable_has_a_type_a_description_and_validation_unless_boolean() -> None:
    variables = _blocks("variable")
    assert {"environment", "region", "platform_domain", "kubernetes_version"} <= variables.keys()
    for name, body in variables.items():
        assert _unquote(body.get("description", "")).strip(), f"variable {name}: description"
        assert "type" in body, f"variable {name}: type"
        if body["type"] != "bool":
            assert body.get("validation"), f"variable {name}: validation"


def test_every_output_is_described() -> None:
    outputs = _blocks("output")
    for needed in ("ecr_repository_url", "tenant_files_bucket", "db_master_user_secret_arn", "route53_zone_id"):
        assert needed in outputs
    for name, body in outputs.items():
        assert _unquote(body.get("description", "")).strip(), f"output {name}: description"


def test_modules_are_terraform_aws_modules_pinned_to_a_major_version() -> None:
    modules = _blocks("module")
    assert {"vpc", "eks", "db", "cache", "tenant_files"} <= modules.keys()
    for name, body in modules.items():
        assert _unquote(body["source"]).startswith("terraform-aws-modules/"), name
        assert re.fullmatch(r"~> \d+\.\d+", _unquote(body["version"])), name


def test_state_is_remote_in_s3() -> None:
    backend = [block for path in TF_FILES for block in _parsed(path).get("terraform", []) if "backend" in block]
    assert len(backend) == 1
    assert [_unquote(name) for name in backend[0]["backend"][0]] == ["s3"]


def test_database_is_multi_az_encrypted_backed_up_with_a_managed_password() -> None:
    db = _blocks("module")["db"]
    assert db["engine"] == '"postgres"'
    assert db["storage_encrypted"] is True
    assert db["manage_master_user_password"] is True
    assert "password" not in db and "master_password_wo" not in db
    assert db["multi_az"] == "${var.db_multi_az}"
    defaults = _blocks("variable")
    assert defaults["db_multi_az"]["default"] is True
    assert defaults["db_backup_retention_days"]["default"] >= 7


def test_cache_is_a_replication_group_with_tls_and_an_auth_token() -> None:
    cache_module = _blocks("module")["cache"]
    assert cache_module["transit_encryption_enabled"] is True
    assert cache_module["at_rest_encryption_enabled"] is True
    assert cache_module["automatic_failover_enabled"] is True
    assert "auth_token" in cache_module
    assert "replication_group_id" in cache_module


def test_tenant_bucket_is_private_versioned_and_encrypted() -> None:
    bucket = _blocks("module")["tenant_files"]
    for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert bucket[flag] is True, flag
    assert bucket["versioning"] == {"enabled": True}
    assert bucket["attach_deny_insecure_transport_policy"] is True
    assert "server_side_encryption_configuration" in bucket


def _subnet_index(main_tf: str, name: str) -> int:
    """The ``netnum`` of ``name = cidrsubnet(var.vpc_cidr, 6, <netnum>)`` in main.tf."""
    found = re.search(rf"{name}\s*=\s*cidrsubnet\(var.vpc_cidr, 6, (\d+)\)", main_tf)
    assert found, f"no {name} = cidrsubnet(...) in main.tf"
    return int(found.group(1))


def test_network_policies_address_the_database_and_cache_subnets_terraform_creates() -> None:
    # given: the default VPC range and the subnet layout of main.tf
    vpc = ipaddress.IPv4Network(_unquote(_blocks("variable")["vpc_cidr"]["default"]))
    main = (TERRAFORM / "main.tf").read_text()
    database_index = _subnet_index(main, "database_range")
    cache_index = _subnet_index(main, "cache_range")
    database_range = list(vpc.subnets(new_prefix=vpc.prefixlen + 6))[database_index]
    cache_range = list(vpc.subnets(new_prefix=vpc.prefixlen + 6))[cache_index]
    database_subnets = [list(vpc.subnets(new_prefix=24))[100 + i] for i in range(3)]
    cache_subnets = [list(vpc.subnets(new_prefix=24))[104 + i] for i in range(3)]

    # when
    egress = find(rendered("overlays/prod"), "NetworkPolicy", "app-egress")["spec"]["egress"]
    by_port = {rule["ports"][0]["port"]: rule["to"][0]["ipBlock"]["cidr"] for rule in egress if "to" in rule}

    # then
    assert all(subnet.subnet_of(database_range) for subnet in database_subnets)
    assert all(subnet.subnet_of(cache_range) for subnet in cache_subnets)
    assert by_port[5432] == str(database_range)
    assert by_port[6379] == str(cache_range)


def test_external_secret_reads_secrets_and_properties_that_terraform_writes() -> None:
    # given: "<name>-<environment>/<suffix>" secrets and the JSON keys Terraform writes into them
    versions = _resources("aws_secretsmanager_secret_version")
    written = {}
    for suffix in ("app", "database", "redis"):
        body = versions[suffix]
        expression = body.get("secret_string_wo") or body.get("secret_string")
        assert expression, f"secret version {suffix} writes no secret_string"
        written[suffix] = set(re.findall(r"(\w+)\s*=", expression))
    names = {suffix: _unquote(body["name"]) for suffix, body in _resources("aws_secretsmanager_secret").items()}
    name_default = _unquote(_blocks("variable")["name"]["default"])

    # when
    external_secret = find(rendered("overlays/prod"), "ExternalSecret", "saas-secrets")

    # then
    for item in external_secret["spec"]["data"]:
        key, prop = item["remoteRef"]["key"], item["remoteRef"]["property"]
        if key.startswith("rds!"):  # the RDS-managed master secret: {"username", "password"}
            assert prop in {"username", "password"}
            continue
        prefix, suffix = key.split("/")
        assert prefix == f"{name_default}-prod"
        assert names[suffix] == "${local.name}/" + suffix
        assert prop in written[suffix], f"{key} has no property {prop}"


def test_kubernetes_version_is_one_kubernetes_validate_knows() -> None:
    import kubernetes_validate.utils as kv

    version = _unquote(_blocks("variable")["kubernetes_version"]["default"])
    assert version in {kv.major_minor(v) for v in kv.all_versions()}
