# What k8s/ and the runbook need (docs/operations.md maps each output to the file it goes into).

output "region" {
  description = "AWS region of the stack (AWS_S3_REGION_NAME, the ClusterSecretStore and the ClusterIssuer)."
  value       = var.region
}

output "cluster_name" {
  description = "EKS cluster name: aws eks update-kubeconfig --name <cluster_name> --region <region>."
  value       = module.eks.cluster_name
}

output "ecr_repository_url" {
  description = "Where CI pushes the image; newName of the kustomize image \"saas\" in the overlay."
  value       = aws_ecr_repository.app.repository_url
}

output "tenant_files_bucket" {
  description = "AWS_STORAGE_BUCKET_NAME in the overlay's ConfigMap."
  value       = module.tenant_files.s3_bucket_id
}

output "app_secret_name" {
  description = "Secrets Manager secret with DJANGO_SECRET_KEY and the third-party keys (ExternalSecret remoteRef key)."
  value       = aws_secretsmanager_secret.app.name
}

output "database_secret_name" {
  description = "Secrets Manager secret with the database host, port and name (ExternalSecret remoteRef key)."
  value       = aws_secretsmanager_secret.database.name
}

output "redis_secret_name" {
  description = "Secrets Manager secret with REDIS_URL (ExternalSecret remoteRef key)."
  value       = aws_secretsmanager_secret.redis.name
}

output "db_master_user_secret_arn" {
  description = "The RDS-managed secret with the master username and password (ExternalSecret remoteRef key for db_username and db_password)."
  value       = module.db.db_instance_master_user_secret_arn
}

output "db_address" {
  description = "PostgreSQL host name (also in the database secret); for pg_dump and psql from a pod in the cluster."
  value       = module.db.db_instance_address
}

output "route53_zone_id" {
  description = "Hosted zone of the platform domain: hostedZoneID of the letsencrypt-dns01 ClusterIssuer."
  value       = local.zone_id
}

output "route53_name_servers" {
  description = "Name servers of the zone Terraform created (empty when route53_zone_id was given): delegate the platform domain to them at its parent."
  value       = var.route53_zone_id == null ? aws_route53_zone.platform[0].name_servers : []
}

output "custom_domain_cname_target" {
  description = "The host customers point their own domains at with a CNAME."
  value       = "edge.${var.platform_domain}"
}

output "vpc_cidr" {
  description = "The VPC's range."
  value       = module.vpc.vpc_cidr_block
}

output "database_subnets_cidr" {
  description = "The /22 holding the database subnets: ipBlock of PostgreSQL egress in k8s/base/networkpolicies.yaml."
  value       = local.database_range
}

output "cache_subnets_cidr" {
  description = "The /22 holding the ElastiCache subnets: ipBlock of Redis egress in k8s/base/networkpolicies.yaml."
  value       = local.cache_range
}

output "pod_identity_roles" {
  description = "IAM roles bound to Kubernetes service accounts (namespace/service account: role ARN)."
  value = {
    "saas/saas-app"                            = module.app_pod_identity.iam_role_arn
    "external-secrets/external-secrets"        = module.external_secrets_pod_identity.iam_role_arn
    "cert-manager/cert-manager"                = module.cert_manager_pod_identity.iam_role_arn
    "kube-system/aws-load-balancer-controller" = module.lb_controller_pod_identity.iam_role_arn
  }
}
