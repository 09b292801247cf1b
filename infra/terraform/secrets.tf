# What the pods read through External Secrets (k8s/overlays/prod/externalsecret.yaml). The RDS
# master password is a fourth secret, created and rotated by RDS itself (rds.tf).

# DJANGO_SECRET_KEY is generated here and written with a write-only argument: it exists in Secrets
# Manager only, never in the Terraform state. The third-party keys start empty and are filled in by
# an operator (docs/operations.md, "First deploy", step 4); Terraform never overwrites them.
resource "aws_secretsmanager_secret" "app" {
  name                    = "${local.name}/app"
  description             = "Django secret key and third-party API keys of ${local.name}"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
  # checkov:skip=CKV2_AWS_57: DJANGO_SECRET_KEY and the SendGrid, Stripe and Sentry keys cannot be rotated by a Lambda; rotation is a runbook (docs/operations.md, "Rotating secrets")
}

ephemeral "random_password" "django_secret_key" {
  length  = 64
  special = false
}

# The TLS edge's credential for the platform's ask endpoint (docs/operations.md, "Custom domains").
ephemeral "random_password" "tls_ask_token" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string_wo = jsonencode({
    DJANGO_SECRET_KEY             = ephemeral.random_password.django_secret_key.result
    TLS_ASK_TOKEN                 = ephemeral.random_password.tls_ask_token.result
    SENDGRID_API_KEY              = ""
    STRIPE_SECRET_KEY             = ""
    STRIPE_WEBHOOK_SECRET         = ""
    STRIPE_BILLING_WEBHOOK_SECRET = ""
    STRIPE_CONNECT_WEBHOOK_SECRET = ""
    SENTRY_DSN                    = ""
  })
  # Bump to write a new initial value (this replaces the operator's values: avoid).
  secret_string_wo_version = 1
}

# Where the database is; not secret, but kept next to the credentials so that External Secrets
# can assemble DATABASE_URL in one place.
resource "aws_secretsmanager_secret" "database" {
  name                    = "${local.name}/database"
  description             = "Host, port and database name of ${local.name}'s PostgreSQL"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
  # checkov:skip=CKV2_AWS_57: holds no credential (host, port, database name); the password is in the RDS-managed secret, which rotates
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id = aws_secretsmanager_secret.database.id
  secret_string = jsonencode({
    host   = module.db.db_instance_address
    port   = tostring(module.db.db_instance_port)
    dbname = module.db.db_instance_name
  })
}

resource "aws_secretsmanager_secret" "redis" {
  name                    = "${local.name}/redis"
  description             = "REDIS_URL of ${local.name} (TLS, auth token)"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
  # checkov:skip=CKV2_AWS_57: the ElastiCache auth token is rotated through Terraform with the ROTATE strategy (docs/operations.md, "Rotating secrets"), not by a Lambda
}

resource "aws_secretsmanager_secret_version" "redis" {
  secret_id = aws_secretsmanager_secret.redis.id
  secret_string = jsonencode({
    REDIS_URL = "rediss://:${random_password.cache_auth_token.result}@${module.cache.replication_group_primary_endpoint_address}:6379/0?ssl_cert_reqs=required"
  })
}
