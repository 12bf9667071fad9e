//! EventBridge Scheduler schedules: the daily graph, and each regulatory export schedule.
//!
//! Each is the input of Scheduler's CreateSchedule, with `${...}` placeholders for the ARNs
//! Terraform knows (the same schedules are resources of the Terraform).

use serde_json::{json, Value};

use crate::error::{OrchestrationError, Result};

/// When the daily graph starts, in the business time zone: 02:00, after the sources' day has
/// landed and hours before the earliest gold SLO (06:00).
pub const DAILY_GRAPH_CRON: &str = "0 2 * * *";

/// When tables are maintained: 05:00, after the daily graph has written the day and before
/// analysts' working hours, so compaction competes with neither.
pub const MAINTENANCE_CRON: &str = "0 5 * * *";

/// The job's command for table maintenance.
pub const MAINTENANCE_COMMAND: [&str; 1] = ["maintain"];

/// When customers past retention are erased: 06:00 on the first of each month.
pub const RETENTION_CRON: &str = "0 6 1 * *";

/// The job's command for the retention schedule: every customer whose five years have run
/// out, erased under the policy's name and the approver role (`paylake erase --due`).
pub const RETENTION_COMMAND: [&str; 8] = [
    "erase",
    "--due",
    "--user",
    "retention-schedule",
    "--role",
    "approver",
    "--note",
    "monthly retention schedule (31 CFR 1010.430(d))",
];

/// The job's command for due regulatory exports.
pub const RUN_DUE_COMMAND: [&str; 2] = ["schedule", "run-due"];

const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A five-field cron (minute hour day month weekday, weekday 0-6 from Sunday) as EventBridge's
/// six-field `cron(...)`, where one of day and weekday must be `?`.
pub fn aws_cron(cron: &str) -> Result<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields[..] else {
        return Err(OrchestrationError::Usage(format!(
            "cron '{cron}' does not have five fields"
        )));
    };
    let weekday = if weekday == "*" {
        "*".to_string()
    } else {
        weekday
            .split(',')
            .map(|value| {
                value
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| WEEKDAYS.get(index % 7))
                    .map(|name| name.to_string())
                    .ok_or_else(|| {
                        OrchestrationError::Usage(format!("cron '{cron}': weekday '{value}'"))
                    })
            })
            .collect::<Result<Vec<_>>>()?
            .join(",")
    };
    let (day, weekday) = match (day, weekday.as_str()) {
        (day, "*") => (day.to_string(), "?".to_string()),
        ("*", _) => ("?".to_string(), weekday),
        _ => {
            return Err(OrchestrationError::Usage(format!(
                "cron '{cron}': EventBridge cannot restrict both the day and the weekday"
            )))
        }
    };
    Ok(format!("cron({minute} {hour} {day} {month} {weekday} *)"))
}

/// One schedule as CreateSchedule's input.
pub fn schedule(
    name: &str,
    description: &str,
    cron: &str,
    timezone: &str,
    target: Value,
) -> Result<Value> {
    Ok(json!({
        "Name": name,
        "GroupName": "paylake",
        "Description": description,
        "ScheduleExpression": aws_cron(cron)?,
        "ScheduleExpressionTimezone": timezone,
        "FlexibleTimeWindow": { "Mode": "OFF" },
        "State": "ENABLED",
        "KmsKeyArn": "${kms_key_arn}",
        "Target": target
    }))
}

/// The target that starts the daily graph's state machine with the scheduled time.
pub fn state_machine_target() -> Value {
    json!({
        "Arn": "${state_machine_arn}",
        "RoleArn": "${scheduler_role_arn}",
        "Input": "{\"scheduled_time\": \"<aws.scheduler.scheduled-time>\"}",
        "RetryPolicy": { "MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3 }
    })
}

/// The target that runs `paylake <command>` as the job's ECS task.
pub fn ecs_target(command: &[&str]) -> Value {
    let overrides = json!({
        "containerOverrides": [{ "name": super::step_functions::CONTAINER_NAME, "command": command }]
    });
    json!({
        "Arn": "${cluster_arn}",
        "RoleArn": "${scheduler_role_arn}",
        "Input": overrides.to_string(),
        "EcsParameters": {
            "TaskDefinitionArn": "${task_definition_arn}",
            "LaunchType": "FARGATE",
            "TaskCount": 1,
            "NetworkConfiguration": {
                "awsvpcConfiguration": {
                    "Subnets": ["${subnet_a}", "${subnet_b}"],
                    "SecurityGroups": ["${security_group_id}"],
                    "AssignPublicIp": "DISABLED"
                }
            }
        },
        "RetryPolicy": { "MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3 }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_field_crons_become_eventbridge_crons() {
        assert_eq!(aws_cron("0 6 * * *").unwrap(), "cron(0 6 * * ? *)");
        assert_eq!(aws_cron("30 7 * * 1").unwrap(), "cron(30 7 ? * MON *)");
        assert_eq!(aws_cron("0 3 1 * *").unwrap(), "cron(0 3 1 * ? *)");
        assert_eq!(aws_cron("0 3 * * 0,6").unwrap(), "cron(0 3 ? * SUN,SAT *)");
        assert!(aws_cron("0 3 1 * 1").is_err());
        assert!(aws_cron("0 3 * *").is_err());
    }
}
