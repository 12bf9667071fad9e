//! The `paylake` command line.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// paylake: the data lake and compliance analytics pipeline of a payment processor.
///
/// Lands the changes of the operational stores (Aurora through DMS, DynamoDB Streams, Kinesis,
/// settlement, bank and cost files) as Delta tables, builds AML datasets with DataFusion and
/// writes the reports compliance officers read. Settings come from paylake.toml, then
/// PAYLAKE_* environment variables, then flags.
#[derive(Debug, Parser)]
#[command(name = "paylake", version, propagate_version = true)]
pub struct Cli {
    /// Settings file (default: ./paylake.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate, ingest, build every date and write the reports, then print a summary.
    ///
    /// Replaces the lake's landing files, tables and reports with a fresh simulation.
    Demo {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        simulation: SimulationArgs,
    },
    /// Write simulated source files, in their producers' formats, into <lake>/landing/.
    Simulate {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        simulation: SimulationArgs,
    },
    /// Take new landing files into bronze, quarantine and silver, exactly once.
    Ingest {
        #[command(flatten)]
        lake: LakeArg,
        /// What finds personal data in memos and references before they are stored.
        #[arg(long, value_enum, default_value_t = PiiDetectorKind::Embedded)]
        pii_detector: PiiDetectorKind,
        /// The ingest time (RFC 3339) the records carry, and whose month is their bronze
        /// partition, instead of now: for replays that pass a day in minutes
        /// (`paylake bench year`).
        #[arg(long, value_name = "TIME")]
        ingest_time: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Deliver files into landing as their producer would, then ingest them.
    ///
    /// Each kind lands in its folder (settlements/, bank/camt053/, cost/focus/, cost/cur/,
    /// sanctions/ofac/<load time>/); the OFAC files of one call are one publication and
    /// replace the list loaded before, unless one of them is cut short or holds a line that
    /// does not read: then all are refused, with the reason, and the list before stays.
    Load {
        #[command(flatten)]
        lake: LakeArg,
        /// What the files are.
        #[arg(long, value_enum)]
        kind: LoadKind,
        /// The files to deliver.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Read Kinesis and DynamoDB streams from their checkpoints into landing, then ingest.
    ///
    /// Uses the standard AWS configuration (environment, profiles, AWS_ENDPOINT_URL). Each
    /// shard's records land as files named by their sequence range; the last one landed is
    /// the shard's checkpoint, and closed shards are read to their end before their children.
    Consume {
        #[command(flatten)]
        lake: LakeArg,
        /// Kinesis data stream of payment events.
        #[arg(long, value_name = "STREAM")]
        kinesis_stream: Option<String>,
        /// DynamoDB table whose stream to read (payments).
        #[arg(long, value_name = "TABLE")]
        dynamodb_table: Option<String>,
        /// Records per GetRecords call.
        #[arg(long, default_value_t = 1000)]
        records_per_call: i32,
    },
    /// Replicate the Aurora tables from PostgreSQL logical replication (pgoutput), then merge.
    ///
    /// Creates the publication and the slot when missing and copies the tables once, then
    /// takes every committed change into bronze, exactly once, and merges silver. The slot
    /// moves only after the lake's commit, so an interrupted run loses nothing.
    Replicate {
        #[command(flatten)]
        lake: LakeArg,
        /// Source database: a libpq connection string or postgresql:// URL.
        #[arg(long, env = "PAYLAKE_POSTGRES_URL", value_name = "URL")]
        postgres: String,
        /// Replication slot name.
        #[arg(long, default_value = "paylake")]
        slot: String,
        /// Publication name.
        #[arg(long, default_value = "paylake")]
        publication: String,
        /// Changes decoded per batch (a batch always ends on a commit).
        #[arg(long, default_value_t = 10_000)]
        batch_changes: u32,
        /// Keep following the source, polling every this many seconds, until interrupted.
        #[arg(long, value_name = "SECONDS")]
        follow: Option<u64>,
    },
    /// Materialise what is stale for a business date: ingest, then the date's gold tables,
    /// reports and exports in dependency order.
    ///
    /// A step runs when its inputs changed since its last success (new silver versions, new
    /// upstream partitions, other rules); otherwise it is fresh and skipped. Transient errors
    /// are retried with backoff; a failed step or check blocks only what depends on it. Every
    /// materialisation is a row of system.asset_runs, every check one of system.asset_checks.
    Run {
        #[command(flatten)]
        lake: LakeArg,
        /// Business date, YYYY-MM-DD.
        #[arg(
            long,
            required_unless_present = "scheduled_at",
            conflicts_with = "scheduled_at"
        )]
        date: Option<NaiveDate>,
        /// The instant a scheduler started this run (RFC 3339): the business date is the day
        /// before the instant's date in the business time zone.
        #[arg(long, value_name = "INSTANT")]
        scheduled_at: Option<String>,
        #[command(flatten)]
        graph: GraphArgs,
    },
    /// Materialise a range of business dates, oldest first, each in dependency order.
    Backfill {
        #[command(flatten)]
        lake: LakeArg,
        /// First business date.
        #[arg(long)]
        from: NaiveDate,
        /// Last business date.
        #[arg(long)]
        to: NaiveDate,
        #[command(flatten)]
        graph: GraphArgs,
    },
    /// The asset graph: every step, what it writes and what it reads.
    Assets {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Freshness SLOs: each dataset's readiness against its promise, and the error budget left.
    Slo {
        #[command(flatten)]
        lake: LakeArg,
        /// Evaluate as of this instant (RFC 3339; default: now).
        #[arg(long)]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Serve Prometheus metrics of the runs, checks and SLOs at http://HOST:PORT/metrics.
    ServeMetrics {
        #[command(flatten)]
        lake: LakeArg,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:9464")]
        listen: String,
    },
    /// Deployment files for AWS.
    Deploy {
        #[command(subcommand)]
        deploy: DeployCommand,
    },
    /// Write a regulatory export package: the filings of a period and their manifest.
    ///
    /// fincen-ctr writes one FinCEN CTR batch (FinCEN 112) of gold.ctr_candidates, one
    /// activity per customer and day; fincen-sar one FinCEN SAR batch (FinCEN 111) of
    /// gold.sar_candidates; goaml one goAML report per SAR case (STR) and per CTR. The
    /// package is a folder <out>/<kind>_<from>_<to>/ with manifest.json (records, totals,
    /// files with SHA-256, the Delta versions read). A delivered package is never
    /// overwritten: the same content is found delivered, changed content becomes the next
    /// revision. On S3, objects get Object Lock retention where the bucket has Object Lock.
    Export {
        #[command(flatten)]
        lake: LakeArg,
        /// What to file.
        #[arg(long, value_enum)]
        kind: ExportKindArg,
        /// First business date of the period, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last business date of the period.
        #[arg(long)]
        to: NaiveDate,
        /// A folder or s3://bucket/prefix the package folder goes under.
        #[arg(long, value_name = "DIR|URL")]
        out: String,
        /// The filing date the filings carry (default: today, UTC).
        #[arg(long)]
        filing_date: Option<NaiveDate>,
    },
    /// Export schedules of the regulatory settings.
    Schedule {
        #[command(subcommand)]
        schedule: ScheduleCommand,
    },
    /// Regulators' acknowledgements of filed batches.
    Filings {
        #[command(subcommand)]
        filings: FilingsCommand,
    },
    /// AML case work: list and read cases, and take the next step on one.
    ///
    /// paylake opens a case per customer for their alerts (later alerts join the open case).
    /// Investigators assign, start, close (false_positive or not_suspicious, with a rationale),
    /// escalate and decide (file, with their narrative, or no_file, with a rationale); an
    /// approver other than the decider approves or returns the decision. Only approved SARs are
    /// exported. Each action is an event of decisions.case_events naming its user and role;
    /// which role may take which action is access.toml's `case_actions`.
    Case {
        #[command(subcommand)]
        case: CaseCommand,
    },
    /// CTR exemptions: a customer exempt from CTRs by an approved decision (31 CFR 1020.315).
    ///
    /// An investigator proposes a Phase I or Phase II exemption with its basis and the date the
    /// FinCEN Form 110 was filed; an approver other than the proposer approves or rejects it,
    /// and revokes it from a date. While one is in force, the customer's CTR candidates keep
    /// its reason (gold.ctr_candidates.exemption) and are not exported or owed. Run the dates
    /// again (`paylake run`) to apply a decision to dates already built.
    Exemption {
        #[command(subcommand)]
        exemption: ExemptionCommand,
    },
    /// Finance's work on reconciliation breaks: list the open ones and decide them.
    ///
    /// A break open at the latest reconciled date can be assigned, annotated, matched by hand
    /// to the counter-item you name (the reconciliation of that date then shows a match with
    /// rule `manual` and the decision's id), or written off; a write-off above
    /// finance-rules.toml's `breaks.write_off_approval_above_usd` waits for a second person's
    /// approval. Each action is an event of decisions.break_events naming its user and role;
    /// which role may take which action is access.toml's `break_actions`. Run the date again
    /// (`paylake run`) to see the decisions in gold.recon_matches and gold.recon_breaks.
    Break {
        #[command(subcommand)]
        break_work: BreakCommand,
    },
    /// The workbench: the case queue, case pages and their actions in the browser, and the
    /// lake's metrics at /metrics, on one server.
    ///
    /// People sign in with a password of the users file (workbench.users_file, by default
    /// <lake>/workbench/users.toml; add them with `paylake user add`), or behind an
    /// authenticating proxy that names them in a header (workbench.auth = "trusted_header").
    Serve {
        #[command(flatten)]
        lake: LakeArg,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// The people of the workbench.
    User {
        #[command(subcommand)]
        user: UserCommand,
    },
    /// Reports that cover a period.
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// AML: evaluate the rules against known truth.
    Aml {
        #[command(subcommand)]
        aml: AmlCommand,
    },
    /// Measure paylake beside a floor and a peer on the same data.
    Bench {
        #[command(subcommand)]
        bench: BenchCommand,
    },
    /// Query the lake with SQL; tables are named zone.table (e.g. silver.payments).
    ///
    /// Runs in a role of access.toml: a table not granted to it is refused, its personal-data
    /// columns are masked (read as NULL) or refused, and only reading queries run. Every
    /// query, run, refused or failed, is a row of system.query_audit.
    Sql {
        #[command(flatten)]
        lake: LakeArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// The role to query in (default: access.toml's default_role).
        #[arg(long, env = "PAYLAKE_ROLE")]
        role: Option<String>,
        /// Who asks, for the audit (default: $USER).
        #[arg(long, env = "PAYLAKE_USER")]
        user: Option<String>,
        /// Read the query from a file (e.g. one of sql/queries/).
        #[arg(long, value_name = "FILE", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// The query.
        #[arg(required_unless_present = "file")]
        query: Option<String>,
    },
    /// The AWS catalog of the lake: Glue tables, Lake Formation grants, the generated SQL.
    Catalog {
        #[command(subcommand)]
        catalog: CatalogCommand,
    },
    /// Query the lake through Amazon Athena.
    Athena {
        #[command(subcommand)]
        athena: AthenaCommand,
    },
    /// The Redshift warehouse that finance and BI read.
    Warehouse {
        #[command(subcommand)]
        warehouse: WarehouseCommand,
    },
    /// Maintain the lake's tables: compact small files, checkpoint the log, and remove the files
    /// no version of the time-travel window uses (`[maintenance]` in paylake.toml). Rows never
    /// change; time travel inside the window still reads every version.
    Maintain {
        #[command(flatten)]
        lake: LakeArg,
        /// Only these tables (zone.table, repeatable); default: every table of the lake.
        #[arg(long = "table")]
        tables: Vec<String>,
        /// Start the time-travel window at this instant (RFC 3339) instead of
        /// `keep_versions_days` ago, below Delta's 7-day floor if need be: for replays that
        /// pass a day in minutes (`paylake bench year`). A reader of an older version may lose
        /// its files.
        #[arg(long, value_name = "TIME")]
        keep_versions_since: Option<chrono::DateTime<chrono::Utc>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Erase a customer's personal data from every zone, on the customer's request or the
    /// retention schedule.
    ///
    /// Refused while the customer holds an open account, or until the retention the registry
    /// gives the customer's tables (five years under 31 CFR 1010.430(d) and
    /// 1020.220(a)(3)(ii)) has run from the relationship's last record; the refusal names the
    /// law and the date. Otherwise the personal-data columns of the customer's rows are nulled
    /// in bronze, silver (histories included), gold, decisions and quarantine, the older files
    /// that still hold them are deleted, and the landing copy is rewritten. Either way an event
    /// of decisions.erasure_events records who asked, why, and what was done, without the data.
    /// With --due, every customer past retention is erased (the retention schedule).
    Erase {
        #[command(flatten)]
        lake: LakeArg,
        /// The customer to erase.
        #[arg(long, required_unless_present = "due", conflicts_with = "due")]
        customer: Option<String>,
        /// Every customer whose retention has run out and whose personal data is still held
        /// (what the retention schedule runs).
        #[arg(long)]
        due: bool,
        /// Who asks (recorded on the event).
        #[arg(long, env = "PAYLAKE_USER")]
        user: String,
        /// The role of access.toml they act in; it needs the `erase_customer` case action.
        #[arg(long, env = "PAYLAKE_CASE_ROLE")]
        role: String,
        /// Why: the request's reference or the schedule that asked.
        #[arg(long)]
        note: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// List every table of the registry as zone.table with its row count.
    Tables {
        #[command(flatten)]
        lake: LakeArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// What a run materialises, and where its queries run.
#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    /// Assets to consider (dbt syntax): zone.table or report.<name> or a step name; ASSET+
    /// adds what depends on it, +ASSET what it depends on. Repeatable; default: all.
    #[arg(long, value_name = "ASSET")]
    pub select: Vec<String>,
    /// Rebuild fresh partitions too.
    #[arg(long)]
    pub force: bool,
    /// Where the gold jobs' queries run.
    #[arg(long, value_enum, default_value_t = EngineKind::Embedded)]
    pub engine: EngineKind,
    /// Ballista scheduler, df://HOST:PORT (with --engine ballista).
    #[arg(long, env = "PAYLAKE_BALLISTA_SCHEDULER", value_name = "URL")]
    pub scheduler: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// DataFusion in this process.
    Embedded,
    /// A Ballista cluster; start its processes with `paylake-executor`.
    Ballista,
}

#[derive(Debug, Subcommand)]
pub enum DeployCommand {
    /// Write the AWS deployment: the Step Functions state machine of the daily graph,
    /// EventBridge Scheduler schedules, Terraform for the lake and the job, and QuickSight's
    /// data source and datasets.
    Render {
        /// Folder to write into (its generated files are replaced).
        #[arg(long, default_value = "deploy")]
        out: PathBuf,
        /// AWS account the QuickSight inputs name.
        #[arg(long, default_value = "111122223333")]
        account_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Landing to silver: records per second and peak RSS of paylake, of the floor (reading
    /// the records and writing them once as Parquet) and of the peer (Python deltalake and
    /// polars), each run as its own process on the same generated landing files.
    Ingest {
        /// Records per source.
        #[arg(long, default_value_t = 1_000_000)]
        records: u64,
        /// Sources to measure.
        #[arg(long, value_enum, default_values_t = [BenchSource::Dms, BenchSource::Dynamodb])]
        source: Vec<BenchSource>,
        /// Folder for the generated landing files and lakes (replaced).
        #[arg(long, default_value = "target/bench")]
        workdir: PathBuf,
        /// Python with deltalake 1.6 and polars installed, for the peer.
        #[arg(long, default_value = ".venv-test/bin/python")]
        python: String,
    },
    /// The AML suite over generated silver tables as Parquet, beside the same rules as DuckDB
    /// SQL over the same files, each run as its own process: time, peak RSS and each step's
    /// time; fails unless both write the same alerts.
    Aml {
        /// Money movements to generate.
        #[arg(long, default_value_t = 10_000_000)]
        transactions: u64,
        /// Business days they spread over.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Folder for the generated tables (replaced).
        #[arg(long, default_value = "target/bench-aml")]
        workdir: PathBuf,
        #[command(flatten)]
        peer: PeerArgs,
    },
    /// The AML suite alone over a Parquet folder (run by `bench aml` as its own process).
    #[command(hide = true)]
    AmlRun {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        days: u32,
        #[arg(long)]
        output: PathBuf,
    },
    /// The staged three-way reconciliation over generated silver tables as Parquet (payments,
    /// as many settlement lines, payouts, bank credits), beside the same stage SQL on DuckDB
    /// over the same files, each run as its own process: time, peak RSS and each step's time;
    /// fails unless both write the same outcomes.
    Recon {
        /// Payments to generate, each with its settlement line.
        #[arg(long, default_value_t = 10_000_000)]
        rows: u64,
        /// Folder for the generated tables (replaced).
        #[arg(long, default_value = "target/bench-recon")]
        workdir: PathBuf,
        #[command(flatten)]
        peer: PeerArgs,
    },
    /// The staged match alone over a Parquet folder (run by `bench recon` as its own process).
    #[command(hide = true)]
    ReconRun {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// Sanctions screening: names per second against the whole OFAC SDN list with its
    /// aliases, recall on variants of listed names and false positives on unlisted ones;
    /// beside it a peer (DuckDB's Jaro-Winkler, the pairing in Python) on the same list and
    /// names, each run as its own process; fails unless both find the same hits.
    Screening {
        /// Names to screen (a fifth of them variants of listed individuals).
        #[arg(long, default_value_t = 100_000)]
        names: usize,
        /// Names (customers' and counterparties') re-screened against a publication that
        /// changed 1% of the entries: incrementally, beside a full re-screen; 0 skips it.
        #[arg(long, default_value_t = 1_000_000)]
        rescreen_names: usize,
        /// Folder with OFAC's sdn.csv and alt.csv.
        #[arg(long, default_value = "../shared/data/sanctions/ofac-2022-01-31")]
        sdn: PathBuf,
        /// Folder for the list and names as Parquet and both sides' hits (replaced).
        #[arg(long, default_value = "target/bench-screening")]
        workdir: PathBuf,
        #[command(flatten)]
        peer: PeerArgs,
    },
    /// Screening alone over the list and names as Parquet (run by `bench screening` as its
    /// own process).
    #[command(hide = true)]
    ScreeningRun {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// One side of the re-screening bench: `incremental` or `full` (run by `bench screening`
    /// as its own process).
    #[command(hide = true)]
    ScreeningRescreen {
        #[arg(long)]
        mode: String,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// A lake run day after day: grows a simulation by each day, delivers each day's landing files as
    /// their producers did, and runs ingest, the date's graph and maintenance as their own
    /// processes; prints time, peak RSS, lake size and table layout on days 1, 10, 30, 90,
    /// 180 and 365, writes every day's times and peak RSS to WORKDIR/days.csv, and fails when a late day costs over 1.25x an early one, a partition holds
    /// over 2 files, or a process peaks at 2 GiB.
    Year {
        /// Business days to run.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Card payments per day (other activity scales with it).
        #[arg(long, default_value_t = 1000)]
        payments_per_day: u32,
        /// First business date.
        #[arg(long, default_value = "2026-03-02")]
        start_date: chrono::NaiveDate,
        /// Folder for the source files and the lake (replaced).
        #[arg(long, default_value = "target/bench-year")]
        workdir: PathBuf,
    },
    /// The floor alone (run by `bench ingest` as its own process).
    #[command(hide = true)]
    Floor {
        #[arg(long, value_enum)]
        source: BenchSource,
        #[arg(long)]
        landing: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Create a Glue database per zone and a table per written Delta table (table_type=DELTA,
    /// the log's columns), updating tables whose schema evolved.
    Sync {
        #[command(flatten)]
        lake: LakeArg,
    },
    /// Apply the roles' grants to Lake Formation: table and column-level grants derived from
    /// the registry, LF-tags on zones and personal-data columns; stale grants are revoked.
    Grant {
        #[command(flatten)]
        lake: LakeArg,
    },
    /// Print what each role reads: every table granted and the columns it does not see.
    Grants {
        /// Only this role.
        #[arg(long)]
        role: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Write the SQL generated from the registry: Athena DDL, Redshift DDL and load SQL.
    SqlFiles {
        /// The sql/ folder to write into.
        #[arg(long, default_value = "sql")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AthenaCommand {
    /// Run a query in the configured workgroup, wait for it and print its rows.
    Query {
        /// Default database of the query (default: the gold zone's).
        #[arg(long)]
        database: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Read the query from a file (e.g. one of sql/queries/).
        #[arg(long, value_name = "FILE", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// The query.
        #[arg(required_unless_present = "file")]
        query: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WarehouseCommand {
    /// Load a business date of every gold table (or those named) into Redshift: COPY from a
    /// manifest of the Delta table's live files into staging, MERGE into the target, as one
    /// transaction per table, polled until done or the timeout.
    Load {
        #[command(flatten)]
        lake: LakeArg,
        /// The business date.
        #[arg(long)]
        date: NaiveDate,
        /// Tables to load, as zone.table (default: every gold table).
        #[arg(long = "table")]
        tables: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Run every scheduled export due since its last run (or its start), oldest first,
    /// catching up missed ticks, and record each in system.regulatory_exports.
    RunDue {
        #[command(flatten)]
        lake: LakeArg,
        /// The time to run as of (RFC 3339; default: now).
        #[arg(long)]
        now: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FilingsCommand {
    /// Load FinCEN acknowledgement files into system.regulatory_filings (BSA IDs, warnings,
    /// errors), tied to an export's records when --export names it.
    LoadAck {
        #[command(flatten)]
        lake: LakeArg,
        /// The export the acknowledgement answers (its export id).
        #[arg(long)]
        export: Option<String>,
        /// Acknowledgement XML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// The cases, most urgent SAR deadline first.
    List {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        reader: ReaderArgs,
        /// Only cases in these states (repeatable), e.g. new, investigating, pending_approval.
        #[arg(long)]
        state: Vec<String>,
        /// Only cases assigned to this user.
        #[arg(long)]
        assignee: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// One case: its state, alerts, decision and every event.
    Show {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        reader: ReaderArgs,
        case_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Assign a case to an investigator.
    Assign {
        #[command(flatten)]
        target: CaseTarget,
        /// Who works it.
        #[arg(long)]
        to: String,
    },
    /// Start investigating a case assigned to you.
    Start {
        #[command(flatten)]
        target: CaseTarget,
    },
    /// Close a case without a SAR.
    Close {
        #[command(flatten)]
        target: CaseTarget,
        /// false_positive or not_suspicious.
        #[arg(long)]
        outcome: String,
        /// Why: what was looked at and what explains the activity.
        #[arg(long)]
        rationale: String,
    },
    /// Escalate a case for a SAR decision.
    Escalate {
        #[command(flatten)]
        target: CaseTarget,
        /// Why the activity is suspicious.
        #[arg(long)]
        rationale: String,
    },
    /// Decide whether an escalated case is reported: file (with the SAR narrative) or no_file
    /// (with a rationale). A second officer approves or returns it.
    Decide {
        #[command(flatten)]
        target: CaseTarget,
        /// file or no_file.
        #[arg(long)]
        decision: String,
        /// The SAR narrative (file), at most 20,000 characters.
        #[arg(long, conflicts_with_all = ["narrative_file", "rationale"])]
        narrative: Option<String>,
        /// The SAR narrative read from a file.
        #[arg(long, value_name = "FILE", conflicts_with = "rationale")]
        narrative_file: Option<PathBuf>,
        /// Why no SAR is filed (no_file).
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Approve a SAR decision someone else made.
    Approve {
        #[command(flatten)]
        target: CaseTarget,
        /// A note for the record.
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Return a SAR decision to the investigator, saying why.
    Return {
        #[command(flatten)]
        target: CaseTarget,
        #[arg(long)]
        rationale: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExemptionCommand {
    /// Every exemption as its last step left it.
    List {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        reader: ReaderArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Propose that a customer be exempt from CTRs.
    Propose {
        #[command(flatten)]
        actor: ExemptionActor,
        #[arg(long)]
        customer: String,
        /// phase_1 (listed companies, banks, government) or phase_2 (other businesses,
        /// payroll customers).
        #[arg(long)]
        phase: String,
        /// Why the customer qualifies.
        #[arg(long)]
        basis: String,
        /// The date the FinCEN Form 110 designation was filed (YYYY-MM-DD); the exemption is
        /// in force from it.
        #[arg(long)]
        fincen_110_date: chrono::NaiveDate,
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve an exemption someone else proposed.
    Approve {
        #[command(flatten)]
        actor: ExemptionActor,
        exemption_id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a proposed exemption, saying why.
    Reject {
        #[command(flatten)]
        actor: ExemptionActor,
        exemption_id: String,
        #[arg(long)]
        note: String,
    },
    /// Revoke an exemption: the customer's CTRs from this date on are filed again.
    Revoke {
        #[command(flatten)]
        actor: ExemptionActor,
        exemption_id: String,
        /// The first date the exemption no longer covers (YYYY-MM-DD).
        #[arg(long)]
        effective_to: chrono::NaiveDate,
        #[arg(long)]
        note: String,
    },
}

/// Who takes a step on an exemption, in which lake.
#[derive(Debug, Args)]
pub struct ExemptionActor {
    #[command(flatten)]
    pub lake: LakeArg,
    /// Who acts (recorded on the event).
    #[arg(long, env = "PAYLAKE_USER")]
    pub user: String,
    /// The role of access.toml they act in (investigator, approver).
    #[arg(long, env = "PAYLAKE_CASE_ROLE")]
    pub role: String,
}

#[derive(Debug, Subcommand)]
pub enum BreakCommand {
    /// The breaks open at the latest reconciled date, oldest first, with finance's work on them.
    List {
        #[command(flatten)]
        lake: LakeArg,
        #[command(flatten)]
        reader: ReaderArgs,
        /// Only breaks in these states of finance's work (repeatable): open, assigned,
        /// pending_write_off.
        #[arg(long)]
        state: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Assign a break to someone in finance.
    Assign {
        #[command(flatten)]
        target: BreakTarget,
        #[arg(long)]
        to: String,
    },
    /// Add a note to a break.
    Annotate {
        #[command(flatten)]
        target: BreakTarget,
        #[arg(long)]
        note: String,
    },
    /// Match a break by hand to the other side's item (a payment, a settlement line, a bank
    /// entry), saying why.
    Match {
        #[command(flatten)]
        target: BreakTarget,
        /// The counter-item's reference.
        #[arg(long)]
        counter_item: String,
        #[arg(long)]
        note: String,
    },
    /// Write a break off, saying why (above the approval amount it waits for a second person).
    WriteOff {
        #[command(flatten)]
        target: BreakTarget,
        #[arg(long)]
        note: String,
    },
    /// Approve a write-off someone else asked for.
    Approve {
        #[command(flatten)]
        target: BreakTarget,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a write-off someone else asked for; the break goes back to work.
    Reject {
        #[command(flatten)]
        target: BreakTarget,
        #[arg(long)]
        note: String,
    },
}

/// Who reads cases, breaks or exemptions on the command line: a role of access.toml, audited.
#[derive(Debug, Args)]
pub struct ReaderArgs {
    /// The role to read in (default: access.toml's default_role).
    #[arg(long, env = "PAYLAKE_ROLE")]
    pub role: Option<String>,
    /// Who reads, for the audit (default: $USER).
    #[arg(long = "user", env = "PAYLAKE_USER")]
    pub user: Option<String>,
}

/// The break an action is taken on, and who takes it.
#[derive(Debug, Args)]
pub struct BreakTarget {
    #[command(flatten)]
    pub lake: LakeArg,
    pub break_id: String,
    /// Who acts (recorded on the event).
    #[arg(long, env = "PAYLAKE_USER")]
    pub user: String,
    /// The role of access.toml they act in (finance, finance_controller).
    #[arg(long, env = "PAYLAKE_BREAK_ROLE")]
    pub role: String,
    /// The state the break is expected in; refused if it has moved on (default: as read now).
    #[arg(long, value_name = "STATE")]
    pub expect: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person to the users file, or change their roles and password. The password is
    /// read from PAYLAKE_NEW_PASSWORD, or the first line of standard input; it is stored as an
    /// Argon2id hash.
    Add {
        #[command(flatten)]
        lake: LakeArg,
        name: String,
        /// Roles of access.toml they act in (repeatable), e.g. investigator, approver.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

/// The case an action is on, who takes it, and the state they saw.
#[derive(Debug, Args)]
pub struct CaseTarget {
    #[command(flatten)]
    pub lake: LakeArg,
    pub case_id: String,
    /// Who acts (recorded on the event).
    #[arg(long, env = "PAYLAKE_USER")]
    pub user: String,
    /// The role of access.toml they act in (investigator, approver).
    #[arg(long, env = "PAYLAKE_CASE_ROLE")]
    pub role: String,
    /// The state the case is expected in; refused if it has moved on (default: as read now).
    #[arg(long, value_name = "STATE")]
    pub expect: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The AML report of a period for compliance officers: alerts by typology and day,
    /// customers by risk, CTR and SAR candidates, sanctions hits, filing deadlines, and a
    /// section per alert with its evidence (and, for network typologies, a drawing of how the
    /// money moved). One self-contained HTML file; --pdf prints it with headless Chromium.
    Aml {
        #[command(flatten)]
        lake: LakeArg,
        /// First business date.
        #[arg(long)]
        from: NaiveDate,
        /// Last business date.
        #[arg(long)]
        to: NaiveDate,
        /// Also print it to PDF beside the HTML (needs chromium on the PATH).
        #[arg(long)]
        pdf: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKindArg {
    /// FinCEN CTR batch (FinCEN 112).
    FincenCtr,
    /// FinCEN SAR batch (FinCEN 111).
    FincenSar,
    /// goAML STR and CTR reports.
    Goaml,
}

impl From<ExportKindArg> for paylake_regulatory::ExportKind {
    fn from(kind: ExportKindArg) -> Self {
        match kind {
            ExportKindArg::FincenCtr => paylake_regulatory::ExportKind::FincenCtr,
            ExportKindArg::FincenSar => paylake_regulatory::ExportKind::FincenSar,
            ExportKindArg::Goaml => paylake_regulatory::ExportKind::GoAml,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AmlCommand {
    /// Precision and recall of the rules.
    ///
    /// With --lake: every case the simulator injected (landing/_truth/) against
    /// gold.aml_alerts of all dates, recall per typology and precision per rule. With
    /// --amlsim: an AMLSim sample (a folder or .tgz with nodes.csv and transactions.csv) run
    /// through the whole suite, account-level precision, recall and F1 against isFraud.
    Eval {
        #[command(flatten)]
        lake: LakeArg,
        /// AMLSim sample folder or .tgz, instead of the lake's simulator truth.
        #[arg(long, value_name = "DIR")]
        amlsim: Option<PathBuf>,
        /// Multiply every AMLSim amount by this factor (its values have no unit): does a rule
        /// stay quiet only because the amounts are small?
        #[arg(long, value_name = "FACTOR", default_value_t = 1, requires = "amlsim")]
        amount_scale: u32,
        /// table for people; json ends with one line of JSON.
        #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
        format: EvalFormat,
    },
    /// Run a candidate rules file over a period of the lake's history, publishing nothing, and
    /// compare it with the live alerts: per rule, alerts added and removed, how the removed
    /// ones were decided (removed alerts that became SARs first), alerts per day, and with the
    /// simulator's truth, precision and recall of both. Exits non-zero when a removed alert
    /// became a SAR.
    Backtest {
        #[command(flatten)]
        lake: LakeArg,
        /// The candidate rules file (refused before any work when it names an unknown rule or
        /// parameter, or misses one).
        #[arg(long, value_name = "FILE")]
        rules: PathBuf,
        /// First business date (YYYY-MM-DD).
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last business date (YYYY-MM-DD).
        #[arg(long)]
        to: chrono::NaiveDate,
        /// table for people, json for programs.
        #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
        format: EvalFormat,
        /// Also write the backtest as an HTML page to this file.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Suppress one rule's alerts of one customer for at most 180 days. The alerts are still
    /// computed and written, marked with the decision's id; they open no case.
    Suppress {
        #[command(flatten)]
        actor: ExemptionActor,
        #[arg(long)]
        customer: String,
        /// The rule (as in gold.aml_alerts.rule_id).
        #[arg(long)]
        rule: String,
        /// The first business date suppressed.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// How many days, at most 180.
        #[arg(long)]
        days: i64,
        #[arg(long)]
        rationale: String,
    },
    /// Whitelist a customer or a counterparty name against one SDN entry for at most 180 days;
    /// a change of the entry (names, aliases, program) ends it.
    Whitelist {
        #[command(flatten)]
        actor: ExemptionActor,
        #[arg(
            long,
            conflicts_with = "counterparty",
            required_unless_present = "counterparty"
        )]
        customer: Option<String>,
        /// The counterparty's name as screened (gold.sanctions_hits.screened_name).
        #[arg(long)]
        counterparty: Option<String>,
        /// The SDN entry's number (ent_num).
        #[arg(long)]
        ent_num: i64,
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        days: i64,
        #[arg(long)]
        rationale: String,
    },
    /// End a suppression or whitelist before it expires.
    Revoke {
        #[command(flatten)]
        actor: ExemptionActor,
        decision_id: String,
        #[arg(long)]
        rationale: String,
    },
    /// Every suppression and whitelist as its last event left it.
    Suppressions {
        #[command(flatten)]
        lake: LakeArg,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Rules versions: proposed by one person with a backtest, live when another approves.
    Rules {
        #[command(subcommand)]
        rules: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every rules version: proposed, live, superseded or rejected, by whom and when.
    List {
        #[command(flatten)]
        lake: LakeArg,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Propose a rules file as the next version, with its backtest over a period attached.
    Propose {
        #[command(flatten)]
        actor: ExemptionActor,
        /// The rules file; its `version` names the version.
        file: PathBuf,
        /// First business date of the backtest.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last business date of the backtest.
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve a version someone else proposed: it becomes the live rules of every later run.
    Approve {
        #[command(flatten)]
        actor: ExemptionActor,
        #[arg(value_name = "VERSION")]
        rules_version: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a proposed version, saying why.
    Reject {
        #[command(flatten)]
        actor: ExemptionActor,
        #[arg(value_name = "VERSION")]
        rules_version: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PiiDetectorKind {
    /// In-process patterns with check digits: e-mail, phone, card (Luhn), IBAN (mod 97), SSN.
    Embedded,
    /// Amazon Comprehend DetectPiiEntities, with the standard AWS configuration.
    Comprehend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchSource {
    /// AWS DMS Parquet CDC files of transactions.
    Dms,
    /// DynamoDB stream records of payments.
    Dynamodb,
}

/// The peer a bench runs beside paylake on the same input.
#[derive(Debug, Args)]
pub struct PeerArgs {
    /// Python with duckdb installed, for the peer.
    #[arg(long, default_value = ".venv-test/bin/python")]
    pub python: String,
    /// Run the peer on a copy of the input with one value changed (an amount, a name), to see
    /// the bench fail on the difference (a check of the bench itself).
    #[arg(long, hide = true)]
    pub change_peer_input: bool,
}

#[derive(Debug, Args)]
pub struct LakeArg {
    /// Lake root: a folder or s3://bucket/prefix (default: ./lake, or PAYLAKE_LAKE).
    #[arg(long, value_name = "DIR|URL")]
    pub lake: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimulationArgs {
    /// Number of business days to simulate.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Card payments per day (other activity scales with it).
    #[arg(long, default_value_t = 1000)]
    pub payments_per_day: u32,
    /// First business date.
    #[arg(long, default_value = "2026-03-02")]
    pub start_date: NaiveDate,
    /// Random seed: the same seed writes the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoadKind {
    /// Processor settlement details report (CSV).
    Settlement,
    /// ISO 20022 camt.053 bank statement, versions .001.02 to .001.08.
    Camt053,
    /// FinOps FOCUS 1.x cost and usage export (CSV).
    Focus,
    /// AWS Cost and Usage Report, legacy or 2.0 (CSV), mapped to FOCUS.
    Cur,
    /// OFAC SDN list files sdn.csv, alt.csv and add.csv.
    Ofac,
}

impl From<BenchSource> for paylake_bench::BenchSource {
    fn from(source: BenchSource) -> Self {
        match source {
            BenchSource::Dms => paylake_bench::BenchSource::Dms,
            BenchSource::Dynamodb => paylake_bench::BenchSource::Dynamodb,
        }
    }
}

impl From<LoadKind> for paylake_ingest::landing::FileKind {
    fn from(kind: LoadKind) -> Self {
        use paylake_ingest::landing::FileKind;
        match kind {
            LoadKind::Settlement => FileKind::Settlement,
            LoadKind::Camt053 => FileKind::Camt053,
            LoadKind::Focus => FileKind::Focus,
            LoadKind::Cur => FileKind::Cur,
            LoadKind::Ofac => FileKind::Ofac,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table.
    Table,
    /// CSV with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}
