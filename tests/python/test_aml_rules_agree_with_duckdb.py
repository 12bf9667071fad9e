"""The AML rules mean the same on DuckDB as on DataFusion: `paylake bench aml` hands DuckDB the
very SQL paylake runs (and the cycle search as a recursive CTE), over the same Parquet files,
and every rule must give as many alerts on both engines."""

import os
import re
import subprocess
import sys

PAYLAKE = os.environ["PAYLAKE_BIN"]


def test_every_rule_gives_the_same_alerts_on_both_engines(tmp_path):
    out = subprocess.run(
        [
            PAYLAKE, "bench", "aml",
            "--transactions", "60000",
            "--days", "20",
            "--workdir", str(tmp_path / "bench"),
            "--python", sys.executable,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = re.findall(r"^  (\w+)\s+(\d+)\s+(\d+)(  \(differs\))?$", out, re.MULTILINE)
    assert len(rows) == 14, out
    for rule, ours, theirs, differs in rows:
        assert ours == theirs and not differs, f"{rule}: paylake {ours}, DuckDB {theirs}\n{out}"
    firing = [rule for rule, ours, _, _ in rows if int(ours) > 0]
    # The generated traffic holds fan-ins, rings and listed countries: the comparison is not
    # one of empty results.
    assert {"fan_in", "cycle", "high_risk_jurisdiction"} <= set(firing), out
