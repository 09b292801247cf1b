module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"
  # checkov:skip=CKV_TF_1: a Terraform Registry module pinned by a version constraint (registry releases are immutable); a commit hash would need a git source and lose registry versioning

  name               = local.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets

  # Private endpoint always; the public one only for the listed networks (empty: private only).
  endpoint_private_access      = true
  endpoint_public_access       = length(var.eks_public_access_cidrs) > 0
  endpoint_public_access_cidrs = var.eks_public_access_cidrs

  # Whoever runs `terraform apply` administers the cluster (EKS access entries, no aws-auth).
  enable_cluster_creator_admin_permissions = true

  enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  addons = {
    coredns    = {}
    kube-proxy = {}
    # Credentials for pods through their service account (web and worker: S3; the add-ons below).
    eks-pod-identity-agent = {
      before_compute = true
    }
    # The VPC CNI enforces the NetworkPolicies of k8s/base/networkpolicies.yaml.
    vpc-cni = {
      before_compute = true
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
  }

  eks_managed_node_groups = {
    default = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_instance_types
      min_size       = var.node_min_size
      max_size       = var.node_max_size
      desired_size   = var.node_desired_size

      # Pods get AWS credentials from EKS Pod Identity only: IMDS answers the node itself, not
      # pods (hop limit 1, the module's default).
      metadata_options = {
        http_endpoint               = "enabled"
        http_tokens                 = "required"
        http_put_response_hop_limit = 1
      }
    }
  }
}
