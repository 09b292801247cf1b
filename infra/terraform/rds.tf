# PostgreSQL for the public schema and every tenant schema. RDS generates the master password and
# keeps it in Secrets Manager (manage_master_user_password): it is never in code or in the state.

resource "aws_security_group" "db" {
  name_prefix = "${local.name}-db-"
  description = "PostgreSQL: reachable from the EKS nodes and pods only"
  vpc_id      = module.vpc.vpc_id
  # checkov:skip=CKV2_AWS_5: attached to the RDS instance (module.db vpc_security_group_ids), inside a registry module that checkov does not download (--skip-download)

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_eks" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from EKS nodes and pods"
  referenced_security_group_id = module.eks.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "~> 7.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  identifier = local.name

  engine               = "postgres"
  engine_version       = var.db_engine_version
  family               = "postgres${var.db_engine_version}"
  major_engine_version = var.db_engine_version
  instance_class       = var.db_instance_class

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  db_name  = "saas"
  username = "saas_admin"
  port     = 5432

  manage_master_user_password                       = true
  master_user_secret_kms_key_id                     = aws_kms_key.main.arn
  manage_master_user_password_rotation              = true
  master_user_password_rotate_immediately           = false
  master_user_password_rotation_schedule_expression = var.db_password_rotation_schedule
  master_user_password_rotation_duration            = "2h"

  iam_database_authentication_enabled = true

  multi_az               = var.db_multi_az
  db_subnet_group_name   = module.vpc.database_subnet_group_name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false

  backup_retention_period          = var.db_backup_retention_days
  backup_window                    = "03:00-04:00"
  maintenance_window               = "Sun:04:30-Sun:05:30"
  copy_tags_to_snapshot            = true
  skip_final_snapshot              = false
  final_snapshot_identifier_prefix = "${local.name}-final"
  deletion_protection              = var.db_deletion_protection
  auto_minor_version_upgrade       = true

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.main.arn
  performance_insights_retention_period = 7
  create_monitoring_role                = true
  monitoring_role_name                  = "${local.name}-rds-monitoring"
  monitoring_interval                   = 60

  enabled_cloudwatch_logs_exports        = ["postgresql", "upgrade"]
  create_cloudwatch_log_group            = true
  cloudwatch_log_group_retention_in_days = 90
  cloudwatch_log_group_kms_key_id        = aws_kms_key.main.arn

  create_db_option_group = false
  parameters = [
    # Every connection is TLS (DATABASE_URL asks for sslmode=require as well).
    { name = "rds.force_ssl", value = "1" },
    # Slow statements and lock waits, for tuning tenant queries.
    { name = "log_min_duration_statement", value = "1000" },
    { name = "log_lock_waits", value = "1" },
  ]
}
