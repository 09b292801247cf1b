# AWS roles for pods, bound to Kubernetes service accounts with EKS Pod Identity: no access keys
# anywhere, and each role usable only from its namespace and service account.

# --- The platform (web, worker): read and write tenant files -----------------------------------

data "aws_iam_policy_document" "tenant_files" {
  statement {
    sid       = "ListTheBucket"
    actions   = ["s3:ListBucket"]
    resources = [module.tenant_files.s3_bucket_arn]
  }

  statement {
    sid = "ReadWriteObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
    ]
    resources = ["${module.tenant_files.s3_bucket_arn}/*"]
  }
}

resource "aws_iam_policy" "tenant_files" {
  name        = "${local.name}-tenant-files"
  description = "Read and write the tenant-files bucket (web and worker pods)"
  policy      = data.aws_iam_policy_document.tenant_files.json
}

module "app_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  name = "${local.name}-app"

  additional_policy_arns = {
    tenant_files = aws_iam_policy.tenant_files.arn
  }

  associations = {
    app = {
      cluster_name    = module.eks.cluster_name
      namespace       = local.app_namespace
      service_account = local.app_service_account
    }
  }
}

# --- External Secrets Operator: read this platform's secrets only ------------------------------

module "external_secrets_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  name = "${local.name}-external-secrets"

  attach_external_secrets_policy = true
  external_secrets_secrets_manager_arns = [
    aws_secretsmanager_secret.app.arn,
    aws_secretsmanager_secret.database.arn,
    aws_secretsmanager_secret.redis.arn,
    module.db.db_instance_master_user_secret_arn,
  ]
  external_secrets_kms_key_arns       = [aws_kms_key.main.arn]
  external_secrets_ssm_parameter_arns = ["arn:aws:ssm:${var.region}:${local.account_id}:parameter/${local.name}/*"]

  associations = {
    external_secrets = {
      cluster_name    = module.eks.cluster_name
      namespace       = "external-secrets"
      service_account = "external-secrets"
    }
  }
}

# --- cert-manager: DNS-01 challenges in the platform's hosted zone only -------------------------

module "cert_manager_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  name = "${local.name}-cert-manager"

  attach_cert_manager_policy    = true
  cert_manager_hosted_zone_arns = ["arn:aws:route53:::hostedzone/${local.zone_id}"]

  associations = {
    cert_manager = {
      cluster_name    = module.eks.cluster_name
      namespace       = "cert-manager"
      service_account = "cert-manager"
    }
  }
}

# --- AWS Load Balancer Controller: the NLB in front of the Envoy gateway -----------------------

module "lb_controller_pod_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  name = "${local.name}-lb-controller"

  attach_aws_lb_controller_policy = true

  associations = {
    lb_controller = {
      cluster_name    = module.eks.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }
}
