# Tenant files (django-storages): private, versioned, encrypted, TLS-only. Keys are
# <schema>/files/<uuid>/<name>; downloads are short-lived pre-signed URLs signed with the pod's role.
#
# Encryption is SSE-S3: the application asks for AES256 on every upload (settings: STORAGES
# object_parameters), which would override a KMS default anyway, and pre-signed downloads of SSE-KMS
# objects would also need kms:Decrypt for the signer.

module "tenant_files" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "~> 5.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  bucket        = "${local.name}-tenant-files-${local.account_id}"
  force_destroy = false

  control_object_ownership = true
  object_ownership         = "BucketOwnerEnforced"

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true

  attach_deny_insecure_transport_policy = true
  attach_require_latest_tls_policy      = true

  versioning = {
    enabled = true
  }

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }

  lifecycle_rule = [
    {
      id      = "expire-old-versions"
      enabled = true
      filter  = { prefix = "" }

      noncurrent_version_expiration = {
        noncurrent_days = var.tenant_files_noncurrent_days
      }
      abort_incomplete_multipart_upload_days = 7
    },
  ]
}
