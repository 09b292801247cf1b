# Remote state in S3 with S3-native locking (use_lockfile, Terraform 1.10+; no DynamoDB table).
# The bucket is created once, by hand, before the first `terraform init` (docs/operations.md,
# "First deploy", step 2), and its settings are passed at init time so that every environment
# keeps its own state:
#
#   terraform init -backend-config=backend.hcl
#
# backend.hcl (see backend.hcl.example; not committed when it names a real account):
#   bucket       = "saas-terraform-state-123456789012"
#   key          = "prod/terraform.tfstate"
#   region       = "us-east-1"
#   encrypt      = true
#   use_lockfile = true
#
# The state holds the ElastiCache auth token (it is an argument of the replication group): keep the
# bucket private, versioned and encrypted, and readable only by the people who run Terraform.
terraform {
  backend "s3" {}
}
