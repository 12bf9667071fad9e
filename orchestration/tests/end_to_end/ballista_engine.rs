//! The gold jobs on Apache DataFusion Ballista: a scheduler and an executor (`paylake-executor`)
//! run as local processes, and a backfill through them builds the same gold tables as the
//! embedded engine does from the same silver tables.

use crate::support;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{paylake_command, run};

/// `paylake-executor`, the other binary of the package under test.
fn executor_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_paylake-executor"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process killed when the test ends, pass or fail.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str], log: &Path) -> Process {
    let log_file = std::fs::File::create(log).unwrap();
    Process(
        Command::new(executor_binary())
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("paylake-executor starts"),
    )
}

/// Waits until `log` holds `needle`.
fn wait_for(log: &Path, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(log) {
            let _ = file.read_to_string(&mut text);
        }
        if text.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} never appeared in {}:\n{text}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs `command` to success within `limit`; a job the cluster never ends fails the test with
/// the scheduler's last words instead of hanging it.
fn run_within(command: &mut Command, limit: Duration, scheduler_log: &Path) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paylake starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(scheduler_log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            panic!(
                "{command:?} did not end within {limit:?}; the scheduler's last lines:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let (stdout, stderr) = (out_reader.join().unwrap(), err_reader.join().unwrap());
    assert!(status.success(), "{command:?} failed:\n{stdout}\n{stderr}");
    stdout
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every row of every gold table of `date`, each table's rows sorted.
fn gold_rows(lake: &str, date: &str) -> Vec<(String, Vec<String>)> {
    let tables = run(paylake_command().args(["tables", "--lake", lake, "--format", "csv"]));
    let gold: Vec<String> = support::csv_rows(&tables)
        .into_iter()
        .map(|row| row[0].clone())
        .filter(|name| name.starts_with("gold."))
        .collect();
    assert!(gold.len() >= 15, "{gold:?}");
    gold.into_iter()
        .map(|table| {
            // The case metrics say when they were measured; the rest is the same work.
            let columns = if table == "gold.case_metrics" {
                "* EXCLUDE (as_of)"
            } else {
                "*"
            };
            let query =
                format!("SELECT {columns} FROM {table} WHERE business_date = DATE '{date}'");
            let rows = support::sorted_rows(lake, &query);
            (table, rows)
        })
        .collect()
}

#[test]
fn a_backfill_on_ballista_builds_the_gold_tables_the_embedded_engine_builds() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = dir.path().join("embedded");
    let distributed = dir.path().join("distributed");
    let embedded_arg = embedded.to_str().unwrap();
    let distributed_arg = distributed.to_str().unwrap();
    run(paylake_command().args([
        "demo",
        "--lake",
        embedded_arg,
        "--days",
        "2",
        "--payments-per-day",
        "100",
    ]));
    copy_folder(&embedded, &distributed);

    let (scheduler_port, flight_port, grpc_port) = (free_port(), free_port(), free_port());
    let scheduler_log = dir.path().join("scheduler.log");
    let executor_log = dir.path().join("executor.log");
    let _scheduler = start(
        &["scheduler", "--port", &scheduler_port.to_string()],
        &scheduler_log,
    );
    wait_for(&scheduler_log, "listening");
    let _executor = start(
        &[
            "executor",
            "--port",
            &flight_port.to_string(),
            "--grpc-port",
            &grpc_port.to_string(),
            "--scheduler-port",
            &scheduler_port.to_string(),
            "--concurrent-tasks",
            "2",
        ],
        &executor_log,
    );
    wait_for(&scheduler_log, "register executor");

    let backfill = |lake: &str, engine: &[&str]| {
        let started = Instant::now();
        let mut command = paylake_command();
        command.args([
            "backfill",
            "--lake",
            lake,
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-03",
            "--force",
        ]);
        command.args(engine);
        let output = run_within(&mut command, Duration::from_secs(900), &scheduler_log);
        (output, started.elapsed())
    };
    let scheduler = format!("df://127.0.0.1:{scheduler_port}");
    let (on_ballista, ballista_time) = backfill(
        distributed_arg,
        &["--engine", "ballista", "--scheduler", &scheduler],
    );
    let (embedded_output, embedded_time) = backfill(embedded_arg, &[]);
    eprintln!(
        "backfill of 2 dates, every step forced: ballista {:.1} s, embedded {:.1} s",
        ballista_time.as_secs_f64(),
        embedded_time.as_secs_f64()
    );
    // Ingest, then 15 steps for each of the 2 dates.
    assert_eq!(
        on_ballista.matches(" succeeded ").count(),
        31,
        "{on_ballista}"
    );
    assert_eq!(
        embedded_output.matches(" succeeded ").count(),
        31,
        "{embedded_output}"
    );

    // The scheduler planned the jobs: the executor ran their tasks.
    let executor_text = std::fs::read_to_string(&executor_log).unwrap();
    assert!(
        executor_text.matches("Execute task").count() > 50,
        "{executor_text}"
    );

    for date in ["2026-03-02", "2026-03-03"] {
        let expected = gold_rows(embedded_arg, date);
        let actual = gold_rows(distributed_arg, date);
        for ((table, want), (_, got)) in expected.iter().zip(&actual) {
            assert_eq!(
                got, want,
                "{table} of {date} differs between ballista and embedded"
            );
        }
        assert!(expected.iter().any(|(_, rows)| rows.len() > 10));
    }

    // The runs table names the engine of each materialisation.
    let engines = run(paylake_command().args([
        "sql",
        "--lake",
        distributed_arg,
        "--format",
        "csv",
        "SELECT engine, count(*) FROM system.asset_runs WHERE business_date IS NOT NULL \
         AND status = 'succeeded' GROUP BY engine ORDER BY engine",
    ]));
    let engines: Vec<String> = support::csv_rows(&engines)
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    assert_eq!(engines, ["ballista", "embedded"]);
}
