"""`paylake deploy render`: the Step Functions state machine has the asset graph's structure,
every AWS input validates against botocore's models of the services, and checkov finds no
failed check in the Terraform."""

import json
import os
import subprocess
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import validate_parameters

PAYLAKE = os.environ.get("PAYLAKE_BIN", "target/debug/paylake")
CHECKOV = Path(__file__).resolve().parents[2] / ".venv-checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("deploy")
    subprocess.run([PAYLAKE, "deploy", "render", "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def graph():
    text = subprocess.run(
        [PAYLAKE, "assets", "--format", "json"], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(text)


def fill(text):
    """The Terraform template's placeholders, as Terraform fills them."""
    values = {
        "cluster_arn": "arn:aws:ecs:us-east-1:111122223333:cluster/paylake",
        "task_definition_arn": "arn:aws:ecs:us-east-1:111122223333:task-definition/paylake-job:1",
        "subnet_a": "subnet-0a",
        "subnet_b": "subnet-0b",
        "security_group_id": "sg-0123",
        "state_machine_arn": "arn:aws:states:us-east-1:111122223333:stateMachine:paylake-daily",
        "scheduler_role_arn": "arn:aws:iam::111122223333:role/paylake-scheduler",
        "kms_key_arn": "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-aaaa-bbbb-cccc-111122223333",
    }
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    assert "${" not in text, text
    return text


def input_shape(service, operation):
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).input_shape


def states_of(machine):
    """Every state, branches included, by name."""
    found = {}
    for name, state in machine["States"].items():
        found[name] = state
        for branch in state.get("Branches", []):
            found.update(states_of(branch))
    return found


def check_machine(machine):
    """Every transition names a state of its machine, and every state is reachable."""
    states = machine["States"]
    assert machine["StartAt"] in states
    reachable, frontier = set(), [machine["StartAt"]]
    while frontier:
        name = frontier.pop()
        if name in reachable:
            continue
        reachable.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [choice["Next"] for choice in state.get("Choices", [])]
        targets += [catch["Next"] for catch in state.get("Catch", [])]
        for target in filter(None, targets):
            assert target in states, f"{name} goes to unknown {target}"
            frontier.append(target)
        terminal = state["Type"] in ("Succeed", "Fail") or state.get("End") is True
        assert terminal or state.get("Next") or state["Type"] == "Choice", name
        for branch in state.get("Branches", []):
            check_machine(branch)
    assert reachable == set(states), set(states) - reachable


def test_the_state_machine_runs_every_step_after_what_it_reads(rendered, graph):
    text = (rendered / "stepfunctions" / "daily.asl.json").read_text()
    machine = json.loads(fill(text))
    check_machine(machine)
    validate_parameters(
        {"name": "paylake-daily", "definition": json.dumps(machine),
         "roleArn": "arn:aws:iam::111122223333:role/paylake-state-machine"},
        input_shape("stepfunctions", "CreateStateMachine"),
    )
    # Levels in order: each a Parallel state whose branches run one step's ECS task.
    level_of, name = {}, machine["StartAt"]
    level = 0
    while machine["States"][name]["Type"] == "Parallel":
        for branch in machine["States"][name]["Branches"]:
            task = branch["States"][branch["StartAt"]]
            assert task["Resource"] == "arn:aws:states:::ecs:runTask.sync"
            command = task["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command.$"]
            step = command.split("'--select', '")[1].split("'")[0]
            assert "$.scheduled_time" in command
            assert task["Catch"][0]["Next"] in branch["States"]
            level_of[step] = level
        name = machine["States"][name]["Next"]
        level += 1
    assert set(level_of) == {row["step"] for row in graph}
    writer = {}
    for row in graph:
        if not row["writes"].endswith(("bronze, quarantine, silver, system", "quarantine, silver, system")):
            for asset in row["writes"].split():
                writer[asset] = row["step"]
    for row in graph:
        for asset in row["reads"].split():
            upstream = writer.get(asset, "ingest" if asset.startswith("silver.") else None)
            if upstream and upstream != row["step"]:
                assert level_of[upstream] < level_of[row["step"]], (upstream, row["step"])
    # The end: a Choice that fails the execution when any branch caught a failure.
    choice = machine["States"][name]
    assert choice["Type"] == "Choice"
    assert len(choice["Choices"][0]["Or"]) == len(graph)


def test_schedules_and_quicksight_inputs_validate_against_the_service_models(rendered):
    schedules = sorted((rendered / "scheduler").glob("*.json"))
    names = [path.stem for path in schedules]
    assert "paylake-daily-graph" in names and "paylake-export-ctr-daily" in names
    for path in schedules:
        params = json.loads(fill(path.read_text()))
        validate_parameters(params, input_shape("scheduler", "CreateSchedule"))
        assert params["ScheduleExpression"].startswith("cron(")
    daily = json.loads(fill((rendered / "scheduler" / "paylake-daily-graph.json").read_text()))
    assert daily["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert daily["ScheduleExpressionTimezone"] == "America/New_York"
    retention = json.loads(fill((rendered / "scheduler" / "paylake-retention.json").read_text()))
    assert retention["ScheduleExpression"] == "cron(0 6 1 * ? *)"
    command = json.loads(retention["Target"]["Input"])["containerOverrides"][0]["command"]
    assert command[:2] == ["erase", "--due"] and "--role" in command, command

    source = json.loads((rendered / "quicksight" / "data_source.json").read_text())
    validate_parameters(source, input_shape("quicksight", "CreateDataSource"))
    datasets = sorted((rendered / "quicksight" / "datasets").glob("*.json"))
    assert len(datasets) >= 15
    for path in datasets:
        params = json.loads(path.read_text())
        validate_parameters(params, input_shape("quicksight", "CreateDataSet"))
    ctr = json.loads((rendered / "quicksight" / "datasets" / "ctr_candidates.json").read_text())
    columns = [c["Name"] for t in ctr["PhysicalTableMap"].values() for c in t["RelationalTable"]["InputColumns"]]
    assert "customer_id" in columns and "customer_name" not in columns


def test_checkov_finds_no_failed_check_in_the_terraform(rendered):
    result = subprocess.run(
        [str(CHECKOV), "-d", str(rendered / "terraform"), "--framework", "terraform",
         "-o", "json", "--quiet", "--skip-download"],
        capture_output=True, text=True,
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] > 40, summary
    # Offline checkov reports no severities, so no failed check of any severity is allowed;
    # the few skipped ones carry their reason beside the resource.
    failed = [(c["check_id"], c["resource"], c["check_name"]) for c in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert summary["passed"] > 150, summary
