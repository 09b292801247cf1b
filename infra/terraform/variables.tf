################################################################################
# Naming and placement
################################################################################

variable "name" {
  description = "Short name of the platform; every resource name starts with \"<name>-<environment>\"."
  type        = string
  default     = "saas"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name))
    error_message = "name must be 2-15 characters: lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Environment this stack serves (dev, staging or prod); part of every resource name."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "region" {
  description = "AWS region of the whole stack, e.g. us-east-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1 or eu-central-1."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread subnets, nodes, the database standby and cache replicas over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (Multi-AZ needs two; the subnet layout has room for three)."
  }
}

variable "tags" {
  description = "Extra tags for every resource (added to Project, Environment and ManagedBy)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "Tag keys are at most 128 characters, values at most 256, and keys may not start with \"aws:\"."
  }
}

################################################################################
# DNS
################################################################################

variable "platform_domain" {
  description = "The platform's domain (PLATFORM_DOMAIN): the superadmin API is served on it and tenants on <slug>.<platform_domain>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.platform_domain))
    error_message = "platform_domain must be a lower-case DNS name such as saas.example.com (no trailing dot, no wildcard)."
  }
}

variable "route53_zone_id" {
  description = "ID of an existing public Route53 hosted zone that holds platform_domain. Null creates a zone named platform_domain (delegate it from the parent domain with the name_servers output)."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^Z[A-Z0-9]{6,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must look like Z0123456789ABCDEFGHIJ, or be null."
  }
}

variable "gateway_load_balancer_name" {
  description = "Name of the NLB that the AWS Load Balancer Controller creates for the Envoy gateway (the aws-load-balancer-name annotation in k8s/overlays/<env>/envoyproxy.yaml). Empty until the gateway exists; once set, the apex, wildcard and edge records point at it."
  type        = string
  default     = ""

  validation {
    condition     = var.gateway_load_balancer_name == "" || can(regex("^[a-zA-Z0-9]([a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$", var.gateway_load_balancer_name))
    error_message = "gateway_load_balancer_name must be a valid load balancer name (1-32 letters, digits or dashes), or empty."
  }
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "IPv4 range of the VPC. Must be a /16: private (/19 per zone, pod addresses included), public, database and cache subnets are carved from it at fixed offsets that k8s/base/networkpolicies.yaml also uses."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be a valid IPv4 /16, e.g. 10.0.0.0/16."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for dev) instead of one per zone (survives the loss of a zone)."
  type        = bool
  default     = false
}

################################################################################
# Kubernetes (EKS)
################################################################################

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version. tests/infra validates the manifests in k8s/ against this version's API schemas."
  type        = string
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.(3[3-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version from 1.33 to 1.39, e.g. \"1.35\"."
  }
}

variable "eks_public_access_cidrs" {
  description = "Networks allowed to reach the EKS API endpoint from the internet (your VPN or office egress, as /32s). Empty keeps the endpoint private: kubectl must then run from inside the VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.eks_public_access_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "eks_public_access_cidrs must be IPv4 CIDRs and must not include 0.0.0.0/0."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group (x86_64: the image is built for linux/amd64)."
  type        = list(string)
  default     = ["m7i.xlarge", "m6i.xlarge"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "node_instance_types needs at least one instance type."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes (at least one per zone for the spread constraints to mean anything)."
  type        = number
  default     = 3

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_max_size" {
  description = "Maximum number of nodes; size it for the HorizontalPodAutoscalers' maximums (docs/operations.md, \"Scaling\")."
  type        = number
  default     = 10

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least node_min_size."
  }
}

variable "node_desired_size" {
  description = "Initial number of nodes (later changes are left to the cluster autoscaler or to you)."
  type        = number
  default     = 3

  validation {
    condition     = var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node_desired_size must lie between node_min_size and node_max_size."
  }
}

################################################################################
# PostgreSQL (RDS)
################################################################################

variable "db_engine_version" {
  description = "PostgreSQL major version of the RDS instance (minor versions are upgraded automatically in the maintenance window)."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["16", "17", "18"], var.db_engine_version)
    error_message = "db_engine_version must be 16, 17 or 18."
  }
}

variable "db_instance_class" {
  description = "RDS instance class. max_connections follows its memory (docs/operations.md, \"Scaling\")."
  type        = string
  default     = "db.m7g.large"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS instance class such as db.m7g.large."
  }
}

variable "db_allocated_storage" {
  description = "Initial storage of the database in GiB (gp3)."
  type        = number
  default     = 100

  validation {
    condition     = var.db_allocated_storage >= 20 && var.db_allocated_storage <= 65536
    error_message = "db_allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "db_max_allocated_storage" {
  description = "Upper bound in GiB for RDS storage autoscaling."
  type        = number
  default     = 1000

  validation {
    condition     = var.db_max_allocated_storage >= var.db_allocated_storage
    error_message = "db_max_allocated_storage must be at least db_allocated_storage."
  }
}

variable "db_multi_az" {
  description = "Keep a synchronous standby in a second zone with automatic failover. Only dev should turn this off."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (daily snapshots and point-in-time recovery)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 7 and 35."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (turn off deliberately, in its own apply, before destroying an environment)."
  type        = bool
  default     = true
}

variable "db_password_rotation_schedule" {
  description = "When Secrets Manager rotates the RDS-managed master password (schedule expression). Pods pick the new password up through External Secrets and Reloader (docs/operations.md, \"Rotating secrets\"); pick a quiet hour."
  type        = string
  default     = "cron(0 3 ? * 1#1 *)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.db_password_rotation_schedule))
    error_message = "db_password_rotation_schedule must be a Secrets Manager schedule expression, rate(...) or cron(...)."
  }
}

################################################################################
# Redis (ElastiCache)
################################################################################

variable "cache_engine" {
  description = "ElastiCache engine: valkey (Redis-compatible, what the Celery broker, cache and pub/sub speak) or redis."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.cache_engine)
    error_message = "cache_engine must be valkey or redis."
  }
}

variable "cache_engine_version" {
  description = "Engine version of the replication group (valkey: 7.2, 8.0, 8.1; redis: 7.1)."
  type        = string
  default     = "8.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.cache_engine_version))
    error_message = "cache_engine_version must look like 8.1."
  }
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.m7g.large"

  validation {
    condition     = startswith(var.cache_node_type, "cache.")
    error_message = "cache_node_type must be an ElastiCache node type such as cache.m7g.large."
  }
}

variable "cache_nodes" {
  description = "Nodes in the replication group (one primary, the rest replicas in other zones); at least 2 for automatic failover."
  type        = number
  default     = 2

  validation {
    condition     = var.cache_nodes >= 2 && var.cache_nodes <= 6
    error_message = "cache_nodes must be between 2 and 6."
  }
}

variable "cache_auth_token_update_strategy" {
  description = "How a new auth token is applied: ROTATE keeps the old token valid next to the new one (while pods switch over), SET then removes the old one (docs/operations.md, \"Rotating secrets\")."
  type        = string
  default     = "ROTATE"

  validation {
    condition     = contains(["ROTATE", "SET"], var.cache_auth_token_update_strategy)
    error_message = "cache_auth_token_update_strategy must be ROTATE or SET."
  }
}

################################################################################
# Tenant files (S3)
################################################################################

variable "tenant_files_noncurrent_days" {
  description = "Days an overwritten or deleted file version is kept (versioning protects against deletion by mistake)."
  type        = number
  default     = 90

  validation {
    condition     = var.tenant_files_noncurrent_days >= 1
    error_message = "tenant_files_noncurrent_days must be at least 1."
  }
}
