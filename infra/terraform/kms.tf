# One customer-managed key for the platform's data at rest: RDS storage, Performance Insights and
# master secret, ElastiCache, Secrets Manager, ECR and CloudWatch log groups. Rotated yearly.

data "aws_iam_policy_document" "kms" {
  # The account administers the key through IAM (the default key policy, written out).
  # checkov:skip=CKV_AWS_109: a key policy's resource is always the key itself ("*"); access is delegated to IAM in the account
  # checkov:skip=CKV_AWS_111: same as above: "*" in a key policy means this key only
  # checkov:skip=CKV_AWS_356: same as above: "*" in a key policy means this key only
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "${local.name}: data at rest (RDS, ElastiCache, Secrets Manager, ECR, logs)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}
