//! `paylake deploy render`: the AWS deployment, derived from the asset graph, the registry and
//! the settings so that it cannot drift from them.
//!
//! ```text
//! <out>/stepfunctions/daily.asl.json   the daily graph (a Terraform template)
//! <out>/scheduler/<name>.json          EventBridge Scheduler CreateSchedule inputs
//! <out>/terraform/*.tf                 buckets, key, catalog, Lake Formation, Athena, Redshift
//!                                      Serverless, IAM, the job's task, state machine, schedules
//! <out>/quicksight/data_source.json    CreateDataSource input (Athena)
//! <out>/quicksight/datasets/<t>.json   CreateDataSet input per gold table
//! ```

pub mod quicksight;
pub mod schedules;
pub mod step_functions;

use std::path::Path;

use paylake_catalog::{registry, Zone};
use serde_json::Value;

use crate::assets::graph::AssetGraph;
use crate::config::Settings;
use crate::error::{OrchestrationError, Result};

const MAIN_TF: &str = include_str!("main.tf");
const VARIABLES_TF: &str = include_str!("variables.tf");
const OUTPUTS_TF: &str = include_str!("outputs.tf");

/// A schedule of the deployment: its name, what it is for, its cron, and the Terraform target.
struct ScheduleSpec {
    name: String,
    description: String,
    cron: String,
    target: Value,
    /// The container's command, for a schedule that runs the job's task.
    command: Vec<&'static str>,
}

fn schedule_specs(settings: &Settings) -> Result<Vec<ScheduleSpec>> {
    let mut specs = vec![ScheduleSpec {
        name: "paylake-daily-graph".to_string(),
        description: "the daily asset graph of the business date before".to_string(),
        cron: schedules::DAILY_GRAPH_CRON.to_string(),
        target: schedules::state_machine_target(),
        command: Vec::new(),
    }];
    specs.push(ScheduleSpec {
        name: "paylake-maintenance".to_string(),
        description: "compaction, checkpoints and vacuum of every table".to_string(),
        cron: schedules::MAINTENANCE_CRON.to_string(),
        target: schedules::ecs_target(&schedules::MAINTENANCE_COMMAND),
        command: schedules::MAINTENANCE_COMMAND.to_vec(),
    });
    specs.push(ScheduleSpec {
        name: "paylake-retention".to_string(),
        description: "erasure of the customers whose retention has run out".to_string(),
        cron: schedules::RETENTION_CRON.to_string(),
        target: schedules::ecs_target(&schedules::RETENTION_COMMAND),
        command: schedules::RETENTION_COMMAND.to_vec(),
    });
    for schedule in settings.regulatory()?.schedules {
        specs.push(ScheduleSpec {
            name: format!("paylake-export-{}", schedule.name),
            description: format!(
                "regulatory export schedule {} ({})",
                schedule.name, schedule.kind
            ),
            cron: schedule.cron.clone(),
            target: schedules::ecs_target(&schedules::RUN_DUE_COMMAND),
            command: schedules::RUN_DUE_COMMAND.to_vec(),
        });
    }
    Ok(specs)
}

/// Every file of the deployment, as (relative path, content).
pub fn files(settings: &Settings, account_id: &str) -> Result<Vec<(String, String)>> {
    let graph = AssetGraph::paylake();
    let pretty = |value: &Value| {
        serde_json::to_string_pretty(value)
            .map(|text| text + "\n")
            .map_err(|err| OrchestrationError::Usage(format!("cannot render json: {err}")))
    };
    let mut files = vec![(
        "stepfunctions/daily.asl.json".to_string(),
        pretty(&step_functions::daily_state_machine(&graph))?,
    )];
    let specs = schedule_specs(settings)?;
    for spec in &specs {
        let input = schedules::schedule(
            &spec.name,
            &spec.description,
            &spec.cron,
            &settings.business_timezone,
            spec.target.clone(),
        )?;
        files.push((format!("scheduler/{}.json", spec.name), pretty(&input)?));
    }
    files.push(("terraform/main.tf".to_string(), MAIN_TF.to_string()));
    files.push((
        "terraform/variables.tf".to_string(),
        VARIABLES_TF.to_string(),
    ));
    files.push(("terraform/outputs.tf".to_string(), OUTPUTS_TF.to_string()));
    files.push((
        "terraform/generated.tf".to_string(),
        generated_tf(settings, &specs)?,
    ));
    let region = "us-east-1";
    files.push((
        "quicksight/data_source.json".to_string(),
        pretty(&quicksight::data_source(
            account_id,
            &settings.aws.athena_workgroup,
        ))?,
    ));
    let gold = settings.aws.database_of(Zone::Gold.as_str());
    for table in registry()
        .tables()
        .iter()
        .filter(|table| table.zone == Zone::Gold)
    {
        files.push((
            format!("quicksight/datasets/{}.json", table.name),
            pretty(&quicksight::dataset(account_id, region, &gold, table))?,
        ));
    }
    Ok(files)
}

/// The Terraform derived from the registry and the settings: the Glue databases and the
/// schedules.
fn generated_tf(settings: &Settings, specs: &[ScheduleSpec]) -> Result<String> {
    let mut databases: Vec<String> = Zone::ALL
        .iter()
        .map(|zone| settings.aws.database_of(zone.as_str()))
        .collect();
    databases.push(settings.aws.database_of("gold_parquet"));
    let mut text = String::from(
        "# Derived from the table registry, regulatory.toml and the asset graph by\n\
         # `paylake deploy render`; edit those, not this file.\n\n",
    );
    text.push_str(&format!(
        "locals {{\n  glue_databases = [{}]\n}}\n\n",
        databases
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    text.push_str(
        "resource \"aws_glue_catalog_database\" \"zones\" {\n  for_each = toset(local.glue_databases)\n  name     = each.value\n  description = \"paylake zone ${each.value}\"\n}\n\n",
    );
    for spec in specs {
        let resource = spec.name.replace('-', "_");
        let aws_cron = schedules::aws_cron(&spec.cron)?;
        let target = if spec.target["Arn"] == "${state_machine_arn}" {
            "    arn      = aws_sfn_state_machine.daily.arn\n    role_arn = aws_iam_role.scheduler.arn\n    input    = jsonencode({ scheduled_time = \"<aws.scheduler.scheduled-time>\" })\n    retry_policy {\n      maximum_event_age_in_seconds = 3600\n      maximum_retry_attempts       = 3\n    }\n".to_string()
        } else {
            let command = spec
                .command
                .iter()
                .map(|word| format!("\"{word}\""))
                .collect::<Vec<_>>()
                .join(", ");
            format!("    arn      = aws_ecs_cluster.paylake.arn\n    role_arn = aws_iam_role.scheduler.arn\n    input    = jsonencode({{ containerOverrides = [{{ name = \"paylake\", command = [{command}] }}] }})\n    ecs_parameters {{\n      task_definition_arn = aws_ecs_task_definition.job.arn\n      launch_type         = \"FARGATE\"\n      task_count          = 1\n      network_configuration {{\n        subnets          = var.private_subnet_ids\n        security_groups  = [aws_security_group.job.id]\n        assign_public_ip = false\n      }}\n    }}\n    retry_policy {{\n      maximum_event_age_in_seconds = 3600\n      maximum_retry_attempts       = 3\n    }}\n")
        };
        text.push_str(&format!(
            "resource \"aws_scheduler_schedule\" \"{resource}\" {{\n  name        = \"{}\"\n  group_name  = aws_scheduler_schedule_group.paylake.name\n  description = \"{}\"\n  schedule_expression          = \"{aws_cron}\"\n  schedule_expression_timezone = var.business_timezone\n  kms_key_arn = aws_kms_key.lake.arn\n  flexible_time_window {{\n    mode = \"OFF\"\n  }}\n  target {{\n{target}  }}\n}}\n\n",
            spec.name, spec.description
        ));
    }
    Ok(text)
}

/// Writes the deployment under `out`, replacing the files it generates.
pub fn render(settings: &Settings, out: &Path, account_id: &str) -> Result<()> {
    let files = files(settings, account_id)?;
    for folder in ["stepfunctions", "scheduler", "terraform", "quicksight"] {
        let folder = out.join(folder);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(|source| OrchestrationError::Io {
                path: folder.clone(),
                source,
            })?;
        }
    }
    for (relative, content) in &files {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| OrchestrationError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, content).map_err(|source| OrchestrationError::Io {
            path: path.clone(),
            source,
        })?;
    }
    println!("wrote {} files under {}", files.len(), out.display());
    Ok(())
}
