"""Offline checks of the container image, the Kubernetes manifests and the Terraform code."""
