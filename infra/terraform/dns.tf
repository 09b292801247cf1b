# The platform's DNS: PLATFORM_DOMAIN and *.PLATFORM_DOMAIN point at the gateway's NLB, and so does
# edge.PLATFORM_DOMAIN, the name customers CNAME their own domains to. cert-manager writes DNS-01
# challenges for the wildcard certificate into the same zone.

resource "aws_route53_zone" "platform" {
  count = var.route53_zone_id == null ? 1 : 0

  name    = var.platform_domain
  comment = "${local.name}: platform and tenant hosts"
  # checkov:skip=CKV2_AWS_38: DNSSEC needs a KMS key in us-east-1 and a DS record at the parent zone's registrar; enable it once the zone is delegated (docs/operations.md)
  # checkov:skip=CKV2_AWS_39: query logging needs a log group in us-east-1; the platform's access logs are the gateway's
}

locals {
  zone_id = var.route53_zone_id != null ? var.route53_zone_id : aws_route53_zone.platform[0].zone_id
  platform_hosts = toset([
    var.platform_domain,
    "*.${var.platform_domain}",
    "edge.${var.platform_domain}",
  ])
}

# Exists only after the first deploy of k8s/ (the AWS Load Balancer Controller creates it).
data "aws_lb" "gateway" {
  count = var.gateway_load_balancer_name == "" ? 0 : 1
  name  = var.gateway_load_balancer_name
}

resource "aws_route53_record" "platform" {
  for_each = var.gateway_load_balancer_name == "" ? toset([]) : local.platform_hosts

  zone_id = local.zone_id
  name    = each.key
  type    = "A"

  alias {
    name                   = data.aws_lb.gateway[0].dns_name
    zone_id                = data.aws_lb.gateway[0].zone_id
    evaluate_target_health = true
  }
}
