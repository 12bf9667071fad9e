"""One demo lake for the Python tests that read a lake, built once per run."""

import os
import subprocess

import pytest

PAYLAKE = os.environ["PAYLAKE_BIN"]


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "lake"
    subprocess.run(
        [PAYLAKE, "demo", "--lake", str(root), "--days", "3", "--payments-per-day", "100"],
        check=True,
        capture_output=True,
    )
    return root


def paylake_sql(lake, query, role="pipeline"):
    """Rows of a `paylake sql` query, as dicts of JSON values."""
    import json

    out = subprocess.run(
        [PAYLAKE, "sql", "--lake", str(lake), "--role", role, "--format", "json", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out) if out.strip() else []


def duckdb_connection():
    """DuckDB with its delta extension, from the pinned `duckdb-ext-delta` wheel (no network)."""
    import duckdb
    import duckdb_ext

    extensions = os.path.join(list(duckdb_ext.__path__)[0], "extensions")
    con = duckdb.connect(
        config={"extension_directory": extensions, "autoinstall_known_extensions": False}
    )
    con.execute("LOAD delta")
    return con
