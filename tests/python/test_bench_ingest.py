"""`paylake bench ingest` compares equal work: paylake and the peer (Python deltalake + polars)
take the same landing files to silver, and the bench fails unless both silver tables hold the
same rows (business columns, landing file and position), for DMS CDC and DynamoDB streams."""

import os
import re
import subprocess
import sys

PAYLAKE = os.environ["PAYLAKE_BIN"]


def test_paylake_and_the_peer_write_the_same_silver_rows(tmp_path):
    run = subprocess.run(
        [
            PAYLAKE, "bench", "ingest",
            "--records", "5000",
            "--workdir", str(tmp_path / "bench"),
            "--python", sys.executable,
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    equal = re.findall(r"^  silver\.(\w+) equal on both sides: (\d+) rows", run.stdout, re.MULTILINE)
    # Updates fold keys together: fewer silver rows than records, but not none.
    assert [table for table, _ in equal] == ["transactions", "payments"], run.stdout
    assert all(0 < int(rows) < 5000 for _, rows in equal), run.stdout
