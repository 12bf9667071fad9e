"""The benches compare equal work with equal results, at a small scale, in the test command.

`paylake bench aml|recon|ingest` run paylake and a peer (DuckDB; Python deltalake + polars for
ingest) over the same generated files; each side writes its whole output (every alert with its
id, evidence and reason; every reconciliation outcome; silver with its lineage) and the bench
fails unless both hold the same rows. A peer fed one changed amount (`--change-peer-input`)
must make the bench fail, naming where the outputs differ."""

import os
import re
import subprocess
import sys

import pytest

PAYLAKE = os.environ["PAYLAKE_BIN"]


def bench(tmp_path, *arguments):
    return subprocess.run(
        [PAYLAKE, "bench", *arguments, "--workdir", str(tmp_path / "bench"), "--python", sys.executable],
        capture_output=True,
        text=True,
    )


def rows_only_the_peer_has(stderr):
    """The counts table the bench prints for the rows only the peer's output holds."""
    return stderr.split("rows only peer has")[1].split("for example")[0]


def test_aml_alerts_are_the_same_on_both_engines_row_for_row(tmp_path):
    run = bench(tmp_path, "aml", "--transactions", "60000", "--days", "20")
    assert run.returncode == 0, run.stdout + run.stderr
    equal = re.search(r"^  alerts equal on both sides: (\d+) rows", run.stdout, re.MULTILINE)
    assert equal and int(equal.group(1)) > 0, run.stdout
    rows = re.findall(r"^  (\w+)\s+(\d+)\s+(\d+)$", run.stdout.split("alerts per rule")[1], re.MULTILINE)
    assert len(rows) == 14, run.stdout
    firing = {rule for rule, ours, _ in rows if int(ours) > 0}
    # The generated traffic holds fan-ins, rings, listed countries, funnel accounts and days far
    # above the peers': the comparison is not one of empty results.
    assert {"fan_in", "cycle", "high_risk_jurisdiction", "rapid_movement", "peer_outlier"} <= firing, run.stdout
    # Both sides timed every step.
    assert re.search(r"^  movements\s+\d+\.\d+\s+\d+\.\d+$", run.stdout, re.MULTILINE), run.stdout


def test_reconciliation_outcomes_are_the_same_on_both_engines_row_for_row(tmp_path):
    run = bench(tmp_path, "recon", "--rows", "40000")
    assert run.returncode == 0, run.stdout + run.stderr
    equal = re.search(r"^  outcomes equal on both sides: (\d+) rows", run.stdout, re.MULTILINE)
    assert equal and int(equal.group(1)) > 0, run.stdout
    categories = re.findall(r"^  (break|open|matched) (\w*) (\w+)\s+(\d+)\s+(\d+)$", run.stdout, re.MULTILINE)
    assert {"amount_mismatch", "duplicate", "missing_in_processor"} <= {c for _, c, _, _, _ in categories}, run.stdout


@pytest.mark.parametrize(
    "arguments, output, only_the_peer",
    [
        # A USD 15,000 cash deposit: a CTR only the peer raises.
        (["aml", "--transactions", "60000", "--days", "20"], "the alerts", r"\| ctr\s+\| 1\s+\|"),
        # The last payment a thousand more than its settlement line: a break only the peer finds.
        (
            ["recon", "--rows", "40000"],
            "the reconciliation outcomes",
            r"\| break amount_mismatch payment_tolerance\s+\| 1\s+\|",
        ),
    ],
    ids=["aml", "recon"],
)
def test_a_bench_fails_when_the_peer_reads_a_changed_amount(tmp_path, arguments, output, only_the_peer):
    run = bench(tmp_path, *arguments, "--change-peer-input")
    assert run.returncode != 0, run.stdout
    assert f"{output} of the two sides differ" in run.stderr, run.stderr
    assert re.search(only_the_peer, rows_only_the_peer_has(run.stderr)), run.stderr


def test_ingest_silver_is_the_same_on_both_sides_for_dms_and_dynamodb(tmp_path):
    run = bench(tmp_path, "ingest", "--records", "5000")
    assert run.returncode == 0, run.stdout + run.stderr
    equal = re.findall(r"^  silver\.(\w+) equal on both sides: (\d+) rows", run.stdout, re.MULTILINE)
    # Updates fold keys together: fewer silver rows than records, but not none.
    assert [table for table, _ in equal] == ["transactions", "payments"], run.stdout
    assert all(0 < int(rows) < 5000 for _, rows in equal), run.stdout


def test_screening_hits_are_the_same_on_both_sides(tmp_path):
    run = bench(tmp_path, "screening", "--names", "3000", "--rescreen-names", "20000")
    assert run.returncode == 0, run.stdout + run.stderr
    equal = re.search(r"^  hits equal on both sides: (\d+) rows", run.stdout, re.MULTILINE)
    # A fifth of the names are variants of listed ones: most of them hit.
    assert equal and int(equal.group(1)) > 500, run.stdout
    assert re.search(r"^recall 0\.9\d+ \(\d+ of 600 variants\)", run.stdout, re.MULTILINE), run.stdout
    # The incremental re-screen of a publication that changed 1% of the entries leaves every
    # name with the hits a full re-screen gives, new entries' hits among them.
    changed = re.search(r"^re-screening: 20000 names \(\d+ distinct\) against a publication that changed (\d+) of (\d+) entries",
                        run.stdout, re.MULTILINE)
    assert changed and 0.009 < int(changed.group(1)) / int(changed.group(2)) < 0.011, run.stdout
    rescreened = re.search(r"^  hits equal after both re-screens: (\d+) rows", run.stdout, re.MULTILINE)
    assert rescreened and int(rescreened.group(1)) > 3000, run.stdout


def test_the_screening_bench_fails_when_the_peer_screens_a_changed_name(tmp_path):
    # The first name, a variant of a listed one, replaced by a name on no list for the peer:
    # a hit only paylake has.
    run = bench(tmp_path, "screening", "--names", "3000", "--rescreen-names", "0", "--change-peer-input")
    assert run.returncode != 0, run.stdout
    assert "the hits of the two sides differ" in run.stderr, run.stderr
    only_paylake = run.stderr.split("rows only paylake has")[1].split("for example")[1]
    assert re.search(r"^\| 0\s+\|", only_paylake, re.MULTILINE), run.stderr
    assert "no row only peer has" in run.stderr, run.stderr
