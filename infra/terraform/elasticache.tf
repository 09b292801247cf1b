# Redis-compatible replication group: Celery broker, Django cache (tenant-prefixed keys) and the
# notification pub/sub. TLS in transit, an auth token, encryption at rest, automatic failover.

resource "aws_security_group" "cache" {
  name_prefix = "${local.name}-cache-"
  description = "ElastiCache: reachable from the EKS nodes and pods only"
  vpc_id      = module.vpc.vpc_id
  # checkov:skip=CKV2_AWS_5: attached to the replication group (module.cache security_group_ids), inside a registry module that checkov does not download (--skip-download)

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_eks" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Redis protocol from EKS nodes and pods"
  referenced_security_group_id = module.eks.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

# Alphanumeric so it needs no escaping in REDIS_URL. It is an argument of the replication group and
# therefore in the Terraform state (see backend.tf); rotation: docs/operations.md.
resource "random_password" "cache_auth_token" {
  length  = 64
  special = false
}

module "cache" {
  source  = "terraform-aws-modules/elasticache/aws"
  version = "~> 2.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  replication_group_id = local.name
  description          = "${local.name}: Celery broker, cache, notification pub/sub"

  engine         = var.cache_engine
  engine_version = var.cache_engine_version
  node_type      = var.cache_node_type

  num_cache_clusters         = var.cache_nodes
  automatic_failover_enabled = true
  multi_az_enabled           = true

  at_rest_encryption_enabled = true
  kms_key_arn                = aws_kms_key.main.arn
  transit_encryption_enabled = true
  auth_token                 = random_password.cache_auth_token.result
  auth_token_update_strategy = var.cache_auth_token_update_strategy

  maintenance_window       = "sun:05:30-sun:06:30"
  snapshot_window          = "02:00-03:00"
  snapshot_retention_limit = 7
  apply_immediately        = false

  create_security_group = false
  security_group_ids    = [aws_security_group.cache.id]

  create_subnet_group = false
  subnet_group_name   = module.vpc.elasticache_subnet_group_name
}
