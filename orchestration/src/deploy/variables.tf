variable "region" {
  description = "AWS region of the lake"
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name"
  type        = string
  default     = "paylake"
}

variable "vpc_id" {
  description = "VPC the job's tasks and Redshift Serverless run in"
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC: the tasks reach AWS through its interface endpoints"
  type        = string
}

variable "private_subnet_ids" {
  description = "Two private subnets, in two availability zones"
  type        = list(string)
  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Give two private subnets, in two availability zones."
  }
}

variable "container_image" {
  description = "The paylake image (its entrypoint is the paylake binary)"
  type        = string
}

variable "container_repository_arn" {
  description = "ECR repository the image is pulled from"
  type        = string
}

variable "lake_admin_role_arn" {
  description = "Role that administers Lake Formation (runs `paylake catalog grant`)"
  type        = string
}

variable "business_timezone" {
  description = "IANA time zone of the business calendar"
  type        = string
  default     = "America/New_York"
}

variable "athena_workgroup" {
  description = "Athena workgroup analysts query in"
  type        = string
  default     = "paylake"
}

variable "redshift_workgroup" {
  description = "Redshift Serverless workgroup the warehouse is loaded into"
  type        = string
  default     = "paylake"
}

variable "task_cpu" {
  description = "vCPU units of the job's task"
  type        = number
  default     = 4096
}

variable "task_memory" {
  description = "Memory of the job's task, MiB"
  type        = number
  default     = 16384
}

variable "noncurrent_retention_days" {
  description = "Days a superseded object version (a file Delta removed) is kept"
  type        = number
  default     = 30
}
