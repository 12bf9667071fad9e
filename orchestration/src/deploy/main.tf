# paylake on AWS: the lake's buckets and key, the catalog, Lake Formation, Athena, Redshift
# Serverless, the job's container task, the daily graph's state machine and the schedules.
# Written by `paylake deploy render`; the generated blocks are in generated.tf.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { project = "paylake" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  prefix     = var.name_prefix
}

# ---------------------------------------------------------------- encryption key

data "aws_iam_policy_document" "lake_key" {
  # In a key policy, "*" is the key itself: it grants nothing on other resources.
  #checkov:skip=CKV_AWS_111:a key policy's resource "*" is the key the policy is attached to
  #checkov:skip=CKV_AWS_356:a key policy's resource "*" is the key the policy is attached to
  #checkov:skip=CKV_AWS_109:the account root administers its own key, as AWS's default key policy does
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "lake" {
  description             = "paylake: every object, log and warehouse block of the lake"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.lake_key.json
}

resource "aws_kms_alias" "lake" {
  name          = "alias/${local.prefix}-lake"
  target_key_id = aws_kms_key.lake.key_id
}

# ---------------------------------------------------------------- buckets

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:this is the access-log bucket; logging it into itself would loop
  #checkov:skip=CKV_AWS_144:access logs stay in the region of the buckets they describe
  #checkov:skip=CKV2_AWS_62:nothing reacts to access-log objects
  bucket = "${local.prefix}-access-logs-${local.account_id}"
}

resource "aws_s3_bucket" "lake" {
  #checkov:skip=CKV_AWS_144:the lake is rebuilt from its sources; replication is a choice of the operator (variables)
  #checkov:skip=CKV2_AWS_62:jobs run on schedules, not on object events
  bucket = "${local.prefix}-lake-${local.account_id}"
}

resource "aws_s3_bucket" "exports" {
  #checkov:skip=CKV_AWS_144:regulatory packages are retained with Object Lock in their region of filing
  #checkov:skip=CKV2_AWS_62:deliveries are tracked in system.regulatory_exports, not by events
  bucket              = "${local.prefix}-exports-${local.account_id}"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  rule {
    default_retention {
      mode  = "COMPLIANCE"
      years = 5
    }
  }
}

resource "aws_s3_bucket_versioning" "buckets" {
  for_each = {
    access_logs = aws_s3_bucket.access_logs.id
    lake        = aws_s3_bucket.lake.id
    exports     = aws_s3_bucket.exports.id
  }
  bucket = each.value
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "buckets" {
  for_each = {
    access_logs = aws_s3_bucket.access_logs.id
    lake        = aws_s3_bucket.lake.id
    exports     = aws_s3_bucket.exports.id
  }
  bucket = each.value
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "buckets" {
  for_each = {
    access_logs = aws_s3_bucket.access_logs.id
    lake        = aws_s3_bucket.lake.id
    exports     = aws_s3_bucket.exports.id
  }
  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_logging" "lake" {
  bucket        = aws_s3_bucket.lake.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "lake/"
}

resource "aws_s3_bucket_logging" "exports" {
  bucket        = aws_s3_bucket.exports.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "exports/"
}

resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id
  rule {
    id     = "landing-files-to-infrequent-access"
    status = "Enabled"
    filter {
      prefix = "landing/"
    }
    transition {
      days          = 30
      storage_class = "STANDARD_IA"
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  rule {
    id     = "superseded-table-files"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  rule {
    id     = "filed-packages-to-glacier"
    status = "Enabled"
    filter {}
    transition {
      days          = 90
      storage_class = "GLACIER_IR"
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = 400
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# ---------------------------------------------------------------- catalog and Lake Formation

resource "aws_glue_data_catalog_encryption_settings" "catalog" {
  data_catalog_encryption_settings {
    connection_password_encryption {
      aws_kms_key_id                       = aws_kms_key.lake.arn
      return_connection_password_encrypted = true
    }
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = aws_kms_key.lake.arn
    }
  }
}

resource "aws_lakeformation_data_lake_settings" "lake" {
  admins = [var.lake_admin_role_arn]
  # Grants come from `paylake catalog grant`, never from IAM-only defaults.
  create_database_default_permissions {
    permissions = []
    principal   = "IAM_ALLOWED_PRINCIPALS"
  }
  create_table_default_permissions {
    permissions = []
    principal   = "IAM_ALLOWED_PRINCIPALS"
  }
}

resource "aws_lakeformation_resource" "lake" {
  arn = aws_s3_bucket.lake.arn
}

# ---------------------------------------------------------------- Athena

resource "aws_athena_workgroup" "paylake" {
  name = var.athena_workgroup
  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    result_configuration {
      output_location = "s3://${aws_s3_bucket.lake.bucket}/athena-results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.lake.arn
      }
    }
  }
}

# ---------------------------------------------------------------- network

resource "aws_security_group" "job" {
  name        = "${local.prefix}-job"
  description = "paylake job tasks and Redshift Serverless: HTTPS to AWS endpoints only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "job_https" {
  security_group_id = aws_security_group.job.id
  description       = "HTTPS to AWS service endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

# ---------------------------------------------------------------- Redshift Serverless

resource "aws_redshiftserverless_namespace" "warehouse" {
  namespace_name        = "${local.prefix}-warehouse"
  db_name               = "paylake"
  admin_username        = "paylake_admin"
  manage_admin_password = true
  kms_key_id            = aws_kms_key.lake.arn
  iam_roles             = [aws_iam_role.redshift_copy.arn]
  default_iam_role_arn  = aws_iam_role.redshift_copy.arn
  log_exports           = ["userlog", "connectionlog", "useractivitylog"]
}

resource "aws_redshiftserverless_workgroup" "warehouse" {
  namespace_name       = aws_redshiftserverless_namespace.warehouse.namespace_name
  workgroup_name       = var.redshift_workgroup
  base_capacity        = 8
  publicly_accessible  = false
  enhanced_vpc_routing = true
  subnet_ids           = var.private_subnet_ids
  security_group_ids   = [aws_security_group.job.id]
}

# ---------------------------------------------------------------- IAM

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_redshift" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_states" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_scheduler" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

locals {
  glue_arns = concat(
    ["arn:${local.partition}:glue:${var.region}:${local.account_id}:catalog"],
    [for database in local.glue_databases : "arn:${local.partition}:glue:${var.region}:${local.account_id}:database/${database}"],
    [for database in local.glue_databases : "arn:${local.partition}:glue:${var.region}:${local.account_id}:table/${database}/*"],
  )
}

# The job: reads and writes the lake, its catalog and grants, Athena and the warehouse load.
data "aws_iam_policy_document" "job" {
  statement {
    sid       = "LakeObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectRetention", "s3:GetObjectRetention"]
    resources = ["${aws_s3_bucket.lake.arn}/*", "${aws_s3_bucket.exports.arn}/*"]
  }
  statement {
    sid       = "LakeListing"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration"]
    resources = [aws_s3_bucket.lake.arn, aws_s3_bucket.exports.arn]
  }
  statement {
    sid       = "LakeKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.lake.arn]
  }
  statement {
    sid = "Catalog"
    actions = [
      "glue:GetDatabase", "glue:GetDatabases", "glue:CreateDatabase", "glue:GetTable", "glue:GetTables",
      "glue:CreateTable", "glue:UpdateTable", "glue:GetPartitions", "glue:BatchCreatePartition",
      "glue:BatchDeletePartition",
    ]
    resources = local.glue_arns
  }
  statement {
    sid = "Grants"
    actions = [
      "lakeformation:GetDataAccess", "lakeformation:GrantPermissions", "lakeformation:RevokePermissions",
      "lakeformation:ListPermissions", "lakeformation:CreateLFTag", "lakeformation:AddLFTagsToResource",
      "lakeformation:GetResourceLFTags", "lakeformation:RegisterResource", "lakeformation:DescribeResource",
    ]
    # Lake Formation's actions take no resource ARNs.
    resources = ["*"]
  }
  statement {
    sid       = "Athena"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"]
    resources = [aws_athena_workgroup.paylake.arn]
  }
  statement {
    sid       = "Warehouse"
    actions   = ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"]
    resources = [aws_redshiftserverless_workgroup.warehouse.arn]
  }
  statement {
    sid       = "WarehouseStatements"
    actions   = ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "redshift-data:statement-owner-iam-userid"
      values   = ["$${aws:userid}"]
    }
  }
  statement {
    sid       = "WarehouseCredentials"
    actions   = ["redshift-serverless:GetCredentials"]
    resources = [aws_redshiftserverless_workgroup.warehouse.arn]
  }
}

resource "aws_iam_role" "job" {
  name               = "${local.prefix}-job"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role_policy" "job" {
  name   = "lake"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

# Pulls the image and writes the task's logs.
data "aws_iam_policy_document" "task_execution" {
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.container_repository_arn]
  }
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.job.arn}:*"]
  }
}

resource "aws_iam_role" "task_execution" {
  name               = "${local.prefix}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# Redshift's COPY reads the live files the manifests list.
data "aws_iam_policy_document" "redshift_copy" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.lake.arn}/*"]
  }
  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.lake.arn]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [aws_kms_key.lake.arn]
  }
}

resource "aws_iam_role" "redshift_copy" {
  name               = "${local.prefix}-redshift-copy"
  assume_role_policy = data.aws_iam_policy_document.assume_redshift.json
}

resource "aws_iam_role_policy" "redshift_copy" {
  name   = "read-lake"
  role   = aws_iam_role.redshift_copy.id
  policy = data.aws_iam_policy_document.redshift_copy.json
}

# The state machine runs the job's tasks and waits for them (.sync uses a managed rule).
data "aws_iam_policy_document" "state_machine" {
  statement {
    actions   = ["ecs:RunTask"]
    resources = [aws_ecs_task_definition.job.arn_without_revision, "${aws_ecs_task_definition.job.arn_without_revision}:*"]
  }
  statement {
    actions   = ["ecs:StopTask", "ecs:DescribeTasks"]
    resources = ["arn:${local.partition}:ecs:${var.region}:${local.account_id}:task/${aws_ecs_cluster.paylake.name}/*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.job.arn, aws_iam_role.task_execution.arn]
  }
  statement {
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${var.region}:${local.account_id}:rule/StepFunctionsGetEventsForECSTaskRule"]
  }
  statement {
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]
    # CloudWatch Logs' delivery actions take no resource ARNs.
    resources = ["*"]
  }
  statement {
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${local.prefix}-state-machine"
  assume_role_policy = data.aws_iam_policy_document.assume_states.json
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "run-job-tasks"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.state_machine.json
}

# The scheduler starts the daily graph and the export schedules' tasks.
data "aws_iam_policy_document" "scheduler" {
  statement {
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.daily.arn]
  }
  statement {
    actions   = ["ecs:RunTask"]
    resources = [aws_ecs_task_definition.job.arn_without_revision, "${aws_ecs_task_definition.job.arn_without_revision}:*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.job.arn, aws_iam_role.task_execution.arn]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.lake.arn]
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume_scheduler.json
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-graph-and-exports"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# ---------------------------------------------------------------- the job's container task

resource "aws_cloudwatch_log_group" "job" {
  name              = "/paylake/${local.prefix}/job"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.lake.arn
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = "/aws/vendedlogs/states/${local.prefix}-daily"
  retention_in_days = 400
  kms_key_id        = aws_kms_key.lake.arn
}

resource "aws_ecs_cluster" "paylake" {
  name = local.prefix
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "job" {
  family                   = "${local.prefix}-job"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  task_role_arn            = aws_iam_role.job.arn
  execution_role_arn       = aws_iam_role.task_execution.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  volume {
    name = "scratch"
  }
  container_definitions = jsonencode([{
    name                   = "paylake"
    image                  = var.container_image
    essential              = true
    readonlyRootFilesystem = true
    command                = ["--help"]
    environment = [
      { name = "PAYLAKE_LAKE", value = "s3://${aws_s3_bucket.lake.bucket}/lake" },
      { name = "PAYLAKE_KMS_KEY_ID", value = aws_kms_key.lake.arn },
      { name = "PAYLAKE_BUSINESS_TIMEZONE", value = var.business_timezone },
      { name = "PAYLAKE_AWS_ATHENA_WORKGROUP", value = aws_athena_workgroup.paylake.name },
      { name = "PAYLAKE_AWS_REDSHIFT_WORKGROUP", value = aws_redshiftserverless_workgroup.warehouse.workgroup_name },
      { name = "PAYLAKE_AWS_REDSHIFT_IAM_ROLE", value = aws_iam_role.redshift_copy.arn },
    ]
    mountPoints = [{ sourceVolume = "scratch", containerPath = "/tmp", readOnly = false }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.job.name
        "awslogs-region"        = var.region
        "awslogs-stream-prefix" = "job"
      }
    }
  }])
}

# ---------------------------------------------------------------- the daily graph

resource "aws_sfn_state_machine" "daily" {
  name     = "${local.prefix}-daily"
  role_arn = aws_iam_role.state_machine.arn
  definition = templatefile("${path.module}/../stepfunctions/daily.asl.json", {
    cluster_arn         = aws_ecs_cluster.paylake.arn
    task_definition_arn = aws_ecs_task_definition.job.arn
    subnet_a            = var.private_subnet_ids[0]
    subnet_b            = var.private_subnet_ids[1]
    security_group_id   = aws_security_group.job.id
  })
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }
  tracing_configuration {
    enabled = true
  }
}

resource "aws_scheduler_schedule_group" "paylake" {
  name = "paylake"
}
