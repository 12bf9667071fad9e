output "lake_url" {
  description = "PAYLAKE_LAKE of the deployment"
  value       = "s3://${aws_s3_bucket.lake.bucket}/lake"
}

output "exports_bucket" {
  value = aws_s3_bucket.exports.bucket
}

output "kms_key_arn" {
  value = aws_kms_key.lake.arn
}

output "state_machine_arn" {
  value = aws_sfn_state_machine.daily.arn
}

output "athena_workgroup" {
  value = aws_athena_workgroup.paylake.name
}

output "redshift_workgroup" {
  value = aws_redshiftserverless_workgroup.warehouse.workgroup_name
}
