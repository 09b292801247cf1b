# AWS for the multi-tenant platform: one VPC, one EKS cluster running the web, worker, beat and
# migration processes of k8s/, one Multi-AZ PostgreSQL, one Redis-compatible replication group, one
# private bucket for tenant files, the secrets the pods read through External Secrets, and the
# platform's DNS. Walk-through: docs/operations.md ("First deploy").

data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394: only the first az_count zones are used (slice, local.azs); a zone AWS adds later sorts after them, so the subnets never move
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  name       = "${var.name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  azs        = slice(data.aws_availability_zones.available.names, 0, var.az_count)

  # Subnet layout of the /16 (k8s/base/networkpolicies.yaml addresses RDS and ElastiCache by the
  # /22s that hold their subnets: 10.0.100.0/22 and 10.0.104.0/22 with the default vpc_cidr).
  private_subnets     = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 3, i)]       # /19 each: nodes and pods
  public_subnets      = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, 96 + i)]  # /24: NLB, NAT
  database_subnets    = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, 100 + i)] # /24: RDS
  elasticache_subnets = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, 104 + i)] # /24: ElastiCache
  database_range      = cidrsubnet(var.vpc_cidr, 6, 25)                                # the /22 holding the database subnets
  cache_range         = cidrsubnet(var.vpc_cidr, 6, 26)                                # the /22 holding the cache subnets

  # The namespace and service accounts of k8s/ that AWS roles are bound to (EKS Pod Identity).
  app_namespace       = "saas"
  app_service_account = "saas-app"

  tags = merge(var.tags, {
    Project     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })
}
