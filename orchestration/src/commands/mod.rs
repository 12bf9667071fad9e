//! One module per command; this one dispatches and holds what they share.

mod aml;
mod backtest;
mod breaks;
mod cases;
mod demo;
mod demo_break_work;
mod demo_case_work;
mod erase;
mod exemptions;
mod graph;
mod maintain;
mod observability;
mod query;
mod readers;
mod regulatory;
mod rules_versions;
mod serving;
mod steps;
mod suppressions;
mod workbench;

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use paylake_catalog::Lake;
use paylake_decisions::suppressions::{SuppressionStep, SuppressionSubject};

use crate::cli::{
    AmlCommand, BenchCommand, Cli, Command, DeployCommand, FilingsCommand, LakeArg, LoadKind,
    PiiDetectorKind, ReportCommand, ScheduleCommand, UserCommand,
};
use crate::config::{self, Settings};
use crate::error::Result;

pub async fn run(cli: Cli) -> Result<()> {
    let settings = config::load(cli.config.as_deref())?;
    let config_path = cli.config.clone();
    // Queries come from the folder in use, for every stage alike.
    paylake_catalog::sql::use_folder(settings.sql_dir.clone());
    match cli.command {
        Command::Demo { lake, simulation } => {
            demo::demo(&settings, &lake_location(&settings, &lake), &simulation).await
        }
        Command::Simulate { lake, simulation } => {
            let lake = open_lake(&settings, &lake)?;
            let summary = steps::simulate(&settings, &lake, &simulation).await?;
            println!(
                "simulated {} days from {}: {} files, {} customers, {} payments, {} money movements, {} CTR truth rows",
                summary.days,
                summary.first_date,
                summary.files_written,
                summary.customers,
                summary.payments,
                summary.money_movements,
                summary.ctr_truth_rows
            );
            Ok(())
        }
        Command::Ingest {
            lake,
            pii_detector,
            ingest_time,
        } => {
            let lake = open_lake(&settings, &lake)?;
            let report = match pii_detector {
                PiiDetectorKind::Embedded => {
                    let detector = paylake_ingest::pii::EmbeddedPiiDetector;
                    steps::ingest_with(&lake, &detector, ingest_time).await?
                }
                PiiDetectorKind::Comprehend => {
                    let config =
                        aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                    let detector = paylake_ingest::pii::ComprehendPiiDetector::new(&config);
                    steps::ingest_with(&lake, &detector, ingest_time).await?
                }
            };
            steps::print_ingest_report(&report);
            Ok(())
        }
        Command::Load { lake, kind, files } => {
            let lake = open_lake(&settings, &lake)?;
            let delivered = steps::with_landing_folder(&lake, &[], |folder| {
                Ok(paylake_ingest::landing::deliver_files(
                    folder,
                    kind.into(),
                    &files,
                )?)
            })
            .await?;
            for relative_path in &delivered {
                println!("delivered landing/{relative_path}");
            }
            let report = steps::ingest(&lake).await?;
            steps::print_ingest_report(&report);
            if kind == LoadKind::Ofac {
                graph::rescreen_latest_date(&settings, &lake).await?;
            }
            Ok(())
        }
        Command::Consume {
            lake,
            kinesis_stream,
            dynamodb_table,
            records_per_call,
        } => {
            let lake = open_lake(&settings, &lake)?;
            steps::consume_streams(
                &lake,
                kinesis_stream.as_deref(),
                dynamodb_table.as_deref(),
                records_per_call,
            )
            .await?;
            let report = steps::ingest(&lake).await?;
            steps::print_ingest_report(&report);
            Ok(())
        }
        Command::Replicate {
            lake,
            postgres,
            slot,
            publication,
            batch_changes,
            follow,
        } => {
            let lake = open_lake(&settings, &lake)?;
            let settings = paylake_ingest::sources::postgres::replication::ReplicationSettings {
                connection: postgres,
                slot,
                publication,
                batch_changes,
            };
            steps::replicate(&lake, settings, follow).await
        }
        Command::Run {
            lake,
            date,
            scheduled_at,
            graph,
        } => {
            let lake = open_lake(&settings, &lake)?;
            let date = graph::business_date(&settings, date, scheduled_at.as_deref())?;
            let request = graph::request(&settings, vec![date], &graph)?;
            let report = graph::run_and_print(&settings, &lake, &request).await?;
            graph::outcome(&report)
        }
        Command::Backfill {
            lake,
            from,
            to,
            graph,
        } => {
            let lake = open_lake(&settings, &lake)?;
            let request = graph::request(&settings, graph::date_range(from, to)?, &graph)?;
            let report = graph::run_and_print(&settings, &lake, &request).await?;
            graph::outcome(&report)
        }
        Command::Assets { format } => graph::print_assets(format),
        Command::Slo {
            lake,
            as_of,
            format,
        } => {
            observability::slo(
                &settings,
                &open_lake(&settings, &lake)?,
                as_of.as_deref(),
                format,
            )
            .await
        }
        Command::ServeMetrics { lake, listen } => {
            observability::serve_metrics(&settings, &open_lake(&settings, &lake)?, &listen).await
        }
        Command::Deploy {
            deploy: DeployCommand::Render { out, account_id },
        } => crate::deploy::render(&settings, &out, &account_id),
        Command::Export {
            lake,
            kind,
            from,
            to,
            out,
            filing_date,
        } => {
            let lake = open_lake(&settings, &lake)?;
            regulatory::export(&settings, &lake, kind.into(), from, to, &out, filing_date).await
        }
        Command::Schedule {
            schedule: ScheduleCommand::RunDue { lake, now },
        } => regulatory::run_due(&settings, &open_lake(&settings, &lake)?, now.as_deref()).await,
        Command::Filings {
            filings:
                FilingsCommand::LoadAck {
                    lake,
                    export,
                    files,
                },
        } => regulatory::load_acks(&open_lake(&settings, &lake)?, export.as_deref(), &files).await,
        Command::Case { case } => cases::run(&settings, case).await,
        Command::Break { break_work } => breaks::run(&settings, break_work).await,
        Command::Exemption { exemption } => exemptions::run(&settings, exemption).await,
        Command::Serve { lake, listen } => {
            workbench::serve(&settings, &open_lake(&settings, &lake)?, &listen).await
        }
        Command::User {
            user: UserCommand::Add { lake, name, roles },
        } => workbench::add_user(&settings, &open_lake(&settings, &lake)?, &name, roles),
        Command::Report {
            report:
                ReportCommand::Aml {
                    lake,
                    from,
                    to,
                    pdf,
                },
        } => {
            let lake = open_existing_lake(&settings, &lake).await?;
            regulatory::aml_report(&settings, &lake, from, to, pdf).await
        }
        Command::Aml { aml } => match aml {
            AmlCommand::Eval {
                lake,
                amlsim,
                amount_scale,
                format,
            } => match amlsim {
                Some(sample) => aml::eval_amlsim(&settings, &sample, amount_scale, format).await,
                None => aml::eval_lake(&open_existing_lake(&settings, &lake).await?, format).await,
            },
            AmlCommand::Backtest {
                lake,
                rules,
                from,
                to,
                format,
                html,
            } => {
                let lake = open_existing_lake(&settings, &lake).await?;
                backtest::backtest_command(
                    &settings,
                    &lake,
                    &rules,
                    (from, to),
                    format,
                    html.as_deref(),
                )
                .await
            }
            AmlCommand::Suppress {
                actor,
                customer,
                rule,
                from,
                days,
                rationale,
            } => {
                let step = SuppressionStep::Grant {
                    subject: SuppressionSubject::Rule {
                        customer_id: customer,
                        rule_id: rule,
                    },
                    valid_from: from,
                    days,
                    rationale,
                };
                suppressions::take(&settings, &actor, &step).await
            }
            AmlCommand::Whitelist {
                actor,
                customer,
                counterparty,
                ent_num,
                from,
                days,
                rationale,
            } => {
                let step = SuppressionStep::Grant {
                    subject: suppressions::whitelist_subject(customer, counterparty, ent_num),
                    valid_from: from,
                    days,
                    rationale,
                };
                suppressions::take(&settings, &actor, &step).await
            }
            AmlCommand::Revoke {
                actor,
                decision_id,
                rationale,
            } => {
                let step = SuppressionStep::Revoke {
                    decision_id,
                    rationale,
                };
                suppressions::take(&settings, &actor, &step).await
            }
            AmlCommand::Suppressions { lake, format } => {
                suppressions::list(&settings, &lake, format).await
            }
            AmlCommand::Rules { rules } => rules_versions::run(&settings, rules).await,
        },
        Command::Bench { bench } => match bench {
            BenchCommand::Ingest {
                records,
                source,
                workdir,
                python,
            } => {
                let sources: Vec<_> = source.into_iter().map(Into::into).collect();
                Ok(paylake_bench::bench_ingest(records, &sources, &workdir, &python).await?)
            }
            BenchCommand::Aml {
                transactions,
                days,
                workdir,
                peer,
            } => Ok(paylake_bench::bench_aml(
                &settings.aml_rules()?,
                transactions,
                days,
                &workdir,
                &peer.python,
                peer.change_peer_input,
            )
            .await?),
            BenchCommand::AmlRun { data, days, output } => Ok(paylake_bench::run_suite_on_parquet(
                &settings.aml_rules()?,
                &data,
                days,
                &output,
            )
            .await?),
            BenchCommand::Recon {
                rows,
                workdir,
                peer,
            } => Ok(paylake_bench::bench_recon(
                &settings.finance_rules()?,
                rows,
                &workdir,
                &peer.python,
                peer.change_peer_input,
            )
            .await?),
            BenchCommand::ReconRun { data, output } => {
                Ok(
                    paylake_bench::run_match_on_parquet(&settings.finance_rules()?, &data, &output)
                        .await?,
                )
            }
            BenchCommand::Year {
                days,
                payments_per_day,
                start_date,
                workdir,
            } => {
                let paylake = std::env::current_exe().map_err(|source| {
                    crate::error::OrchestrationError::Io {
                        path: std::path::PathBuf::from("paylake"),
                        source,
                    }
                })?;
                Ok(paylake_bench::bench_year(&paylake_bench::YearSettings {
                    days,
                    payments_per_day,
                    start_date,
                    workdir,
                    paylake,
                    config: config_path.clone(),
                })
                .await?)
            }
            BenchCommand::Screening {
                names,
                rescreen_names,
                sdn,
                workdir,
                peer,
            } => Ok(paylake_bench::bench_screening(
                &settings.aml_rules()?,
                (names, rescreen_names),
                &sdn,
                &workdir,
                &peer.python,
                peer.change_peer_input,
            )
            .await?),
            BenchCommand::ScreeningRun { data, output } => Ok(
                paylake_bench::run_screening_on_parquet(&settings.aml_rules()?, &data, &output)
                    .await?,
            ),
            BenchCommand::ScreeningRescreen { mode, data, output } => {
                Ok(paylake_bench::run_rescreen_on_parquet(
                    &settings.aml_rules()?,
                    &mode,
                    &data,
                    &output,
                )
                .await?)
            }
            BenchCommand::Floor {
                source,
                landing,
                output,
            } => {
                paylake_bench::run_floor(&landing, source.into(), &output)?;
                Ok(())
            }
        },
        Command::Sql {
            lake,
            format,
            role,
            user,
            file,
            query,
        } => {
            let query = query_text(file, query)?;
            let access = settings.access()?;
            let role = role.unwrap_or_else(|| access.default_role.clone());
            let asker = query::Asker {
                user: user.unwrap_or_else(query::current_user),
                role: access.role(&role)?,
                access_version: &access.version,
            };
            query::sql(
                &open_existing_lake(&settings, &lake).await?,
                &asker,
                &query,
                format,
            )
            .await
        }
        Command::Catalog { catalog } => serving::catalog(&settings, catalog).await,
        Command::Athena { athena } => serving::athena(&settings, athena).await,
        Command::Warehouse { warehouse } => serving::warehouse(&settings, warehouse).await,
        Command::Maintain {
            lake,
            tables,
            keep_versions_since,
            format,
        } => {
            let mut settings = settings;
            settings.maintenance.keep_versions_since = keep_versions_since;
            maintain::run(
                &settings,
                &open_existing_lake(&settings, &lake).await?,
                &tables,
                format,
            )
            .await
        }
        Command::Erase {
            lake,
            customer,
            due: _,
            user,
            role,
            note,
            format,
        } => {
            let request = erase::ErasureRequest {
                customer_id: customer,
                user,
                role,
                note,
            };
            erase::run(
                &settings,
                &open_existing_lake(&settings, &lake).await?,
                &request,
                format,
            )
            .await
        }
        Command::Tables { lake, format } => {
            query::tables(&open_existing_lake(&settings, &lake).await?, format).await
        }
    }
}

/// A query given inline or in a file (`--file`).
fn query_text(file: Option<std::path::PathBuf>, query: Option<String>) -> Result<String> {
    match (file, query) {
        (Some(path), _) => std::fs::read_to_string(&path)
            .map_err(|source| crate::error::OrchestrationError::Io { path, source }),
        (None, query) => Ok(query.unwrap_or_default()),
    }
}

fn lake_location(settings: &Settings, lake: &LakeArg) -> String {
    lake.lake.clone().unwrap_or_else(|| settings.lake.clone())
}

fn open_lake(settings: &Settings, lake: &LakeArg) -> Result<Lake> {
    Ok(Lake::open(&lake_location(settings, lake))?.with_kms_key(settings.kms_key_id.clone()))
}

/// The lake of a command that only reads it: refused, with how to make one, when none is
/// there (nothing is created).
async fn open_existing_lake(settings: &Settings, lake: &LakeArg) -> Result<Lake> {
    Ok(Lake::open_existing(&lake_location(settings, lake))
        .await?
        .with_kms_key(settings.kms_key_id.clone()))
}

/// A spinner on stderr for a long step; hidden when stderr is not a terminal.
pub(crate) fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(message.to_string());
    bar
}
