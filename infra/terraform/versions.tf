terraform {
  # 1.11: write-only arguments (the Django secret key never enters the state), which the RDS
  # module v7 also requires.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.27"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}
