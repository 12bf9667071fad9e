//! The daily asset graph as an AWS Step Functions state machine (Amazon States Language).
//!
//! Each step is an ECS task running `paylake run --scheduled-at <time> --select <step>` in the
//! job's container. Steps that may run side by side (a level of the graph) are the branches of
//! one Parallel state; levels follow each other. A step that fails is caught, so the other
//! branches finish and paylake itself blocks what depends on it (it reads the failure from
//! system.asset_runs); at the end, a Choice fails the execution when any step failed.
//!
//! The file is a Terraform template: `${cluster_arn}`, `${task_definition_arn}`,
//! `${subnet_a}`, `${subnet_b}` and `${security_group_id}` are filled by `templatefile`.

use serde_json::{json, Map, Value};

use crate::assets::graph::{AssetGraph, Step};

/// Name of the job's container in the task definition.
pub const CONTAINER_NAME: &str = "paylake";

fn state_name(step: &Step) -> String {
    step.name
        .split('_')
        .map(|word| {
            let mut letters = word.chars();
            letters
                .next()
                .map(|first| first.to_uppercase().collect::<String>() + letters.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The ECS RunTask state of one step; its outcome lands in `$.failed`-style output.
fn task_state(step: &Step, next: Option<&str>, caught: &str) -> Value {
    let mut state = json!({
        "Type": "Task",
        "Comment": step.description,
        "Resource": "arn:aws:states:::ecs:runTask.sync",
        "Parameters": {
            "LaunchType": "FARGATE",
            "Cluster": "${cluster_arn}",
            "TaskDefinition": "${task_definition_arn}",
            "PropagateTags": "TASK_DEFINITION",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "Subnets": ["${subnet_a}", "${subnet_b}"],
                    "SecurityGroups": ["${security_group_id}"],
                    "AssignPublicIp": "DISABLED"
                }
            },
            "Overrides": {
                "ContainerOverrides": [{
                    "Name": CONTAINER_NAME,
                    "Command.$": format!(
                        "States.Array('run', '--scheduled-at', $.scheduled_time, '--select', '{}')",
                        step.name
                    )
                }]
            }
        },
        "ResultSelector": { "step": step.name, "failed": false },
        "TimeoutSeconds": 7200,
        "Retry": [{
            "ErrorEquals": ["ECS.AmazonECSException", "ECS.ServerException", "States.Timeout"],
            "IntervalSeconds": 30,
            "BackoffRate": 2.0,
            "MaxAttempts": 2
        }],
        "Catch": [{
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": caught
        }]
    });
    match next {
        Some(next) => state["Next"] = json!(next),
        None => state["End"] = json!(true),
    }
    state
}

/// The branch of one step: its task, and the state that records its failure.
fn branch(step: &Step) -> Value {
    let name = state_name(step);
    let caught = format!("{name}Failed");
    json!({
        "StartAt": name,
        "States": {
            name.clone(): task_state(step, None, &caught),
            caught: {
                "Type": "Pass",
                "Comment": format!("{} failed: paylake blocks what depends on it", step.name),
                "Result": { "step": step.name, "failed": true },
                "End": true
            }
        }
    })
}

/// The state machine of the daily graph.
pub fn daily_state_machine(graph: &AssetGraph) -> Value {
    let levels = graph.levels();
    let mut states = Map::new();
    let level_name = |index: usize| format!("Level{index}");
    let mut failure_checks = Vec::new();
    for (index, level) in levels.iter().enumerate() {
        let next = if index + 1 < levels.len() {
            level_name(index + 1)
        } else {
            "AnyStepFailed".to_string()
        };
        let branches: Vec<Value> = level.iter().map(|id| branch(graph.step(id))).collect();
        for (position, id) in level.iter().enumerate() {
            failure_checks.push(json!({
                "Variable": format!("$.levels.{}[{position}].failed", level_name(index)),
                "BooleanEquals": true,
                "Comment": graph.step(id).name,
            }));
        }
        states.insert(
            level_name(index),
            json!({
                "Type": "Parallel",
                "Comment": format!(
                    "steps that read only what earlier levels wrote: {}",
                    level.iter().map(|id| graph.step(id).name).collect::<Vec<_>>().join(", ")
                ),
                "Branches": branches,
                "ResultPath": format!("$.levels.{}", level_name(index)),
                "Next": next
            }),
        );
    }
    states.insert(
        "AnyStepFailed".to_string(),
        json!({
            "Type": "Choice",
            "Choices": [{ "Or": failure_checks, "Next": "GraphFailed" }],
            "Default": "GraphSucceeded"
        }),
    );
    states.insert(
        "GraphFailed".to_string(),
        json!({
            "Type": "Fail",
            "Error": "paylake.StepFailed",
            "Cause": "a step of the daily graph failed; see system.asset_runs for it and what it blocked"
        }),
    );
    states.insert("GraphSucceeded".to_string(), json!({ "Type": "Succeed" }));
    json!({
        "Comment": "paylake daily asset graph: ingest, then each business date's gold tables, \
                    exports and reports in dependency order. Input: {\"scheduled_time\": RFC 3339}; \
                    the business date is the day before the scheduled time's local date.",
        "StartAt": level_name(0),
        "TimeoutSeconds": 6 * 3600,
        "States": Value::Object(states)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_a_task_in_a_level_after_what_it_reads() {
        let graph = AssetGraph::paylake();
        let machine = daily_state_machine(&graph);
        let states = machine["States"].as_object().unwrap();
        assert_eq!(machine["StartAt"], "Level0");
        let mut seen_levels = Vec::new();
        let mut name = "Level0".to_string();
        while let Some(state) = states.get(&name) {
            if state["Type"] != "Parallel" {
                break;
            }
            let steps: Vec<String> = state["Branches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|branch| branch["StartAt"].as_str().unwrap().to_string())
                .collect();
            seen_levels.push(steps);
            name = state["Next"].as_str().unwrap().to_string();
        }
        assert_eq!(name, "AnyStepFailed");
        let flat: Vec<&String> = seen_levels.iter().flatten().collect();
        assert_eq!(flat.len(), graph.steps().len());
        let level_of = |step: &str| {
            seen_levels
                .iter()
                .position(|level| level.iter().any(|s| s == step))
                .unwrap()
        };
        assert!(level_of("Ingest") < level_of("AmlAlerts"));
        assert!(level_of("AmlAlerts") < level_of("CustomerRisk"));
        assert!(level_of("CustomerRisk") < level_of("SarCandidates"));
        assert!(level_of("LedgerIntegrity") < level_of("Reconciliation"));
    }
}
