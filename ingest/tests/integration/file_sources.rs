//! Real files from `../shared/data` delivered and ingested: every bank statement entry and
//! balance, every FOCUS row and every OFAC entry reaches silver, and each run's counts add up.

use std::path::{Path, PathBuf};

use arrow::array::AsArray;
use arrow::datatypes::Int64Type;
use paylake_catalog::{lake_session, Lake};
use paylake_ingest::ingest_lake;
use paylake_ingest::landing::{deliver_files, FileKind};

fn shared_data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}

async fn count(lake: &Lake, query: &str) -> i64 {
    let context = lake_session(lake).await.unwrap();
    let batches = context.sql(query).await.unwrap().collect().await.unwrap();
    batches[0].column(0).as_primitive::<Int64Type>().value(0)
}

/// Counts the elements named `tag` in XML text, independently of paylake's parser.
fn count_elements(path: &Path, tag: &str) -> i64 {
    let text = std::fs::read_to_string(path).unwrap();
    (text.matches(&format!("<{tag}>")).count() + text.matches(&format!("<{tag} ")).count()) as i64
}

/// Lines of an OFAC file, but the end-of-file character (0x1A) some of them end with.
fn non_empty_lines(path: &Path) -> i64 {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim_matches(['\u{1a}', ' ']).is_empty())
        .count() as i64
}

#[tokio::test(flavor = "multi_thread")]
async fn every_real_statement_cost_row_and_sanctions_entry_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    let landing = lake.landing_dir().unwrap();
    let statements = [
        shared_data("bank/camt053/camt053.v2.minimal.xml"),
        shared_data("bank/camt053/camt053.v8.xml"),
    ];
    let ofac = ["sdn.csv", "alt.csv", "add.csv"]
        .map(|name| shared_data(&format!("sanctions/ofac-2022-01-31/{name}")));
    let focus = [shared_data("cost/focus-1.0/focus_sample.csv")];
    deliver_files(&landing, FileKind::Camt053, &statements).unwrap();
    deliver_files(&landing, FileKind::Ofac, &ofac).unwrap();
    deliver_files(&landing, FileKind::Focus, &focus).unwrap();
    let report = ingest_lake(&lake, &|_| {}).await.unwrap();

    let expected_entries: i64 = statements
        .iter()
        .map(|path| count_elements(path, "Ntry"))
        .sum();
    let expected_balances: i64 = statements
        .iter()
        .map(|path| count_elements(path, "Bal"))
        .sum();
    assert!(expected_entries > 0 && expected_balances > 0);
    // Every element reaches bronze; the two files are one statement in two versions, so
    // silver holds each entry and balance of it once.
    assert_eq!(
        count(&lake, "SELECT count(*) FROM bronze.bank_statement_entries").await,
        expected_entries
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM bronze.bank_statement_balances").await,
        expected_balances
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.bank_statement_balances").await,
        count(
            &lake,
            "SELECT count(DISTINCT statement_id || balance_type) FROM bronze.bank_statement_balances"
        )
        .await
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.bank_statement_entries").await,
        count(
            &lake,
            "SELECT count(DISTINCT statement_id || entry_reference) FROM bronze.bank_statement_entries"
        )
        .await
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.cost_line_items").await,
        1000
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_entries").await,
        non_empty_lines(&ofac[0])
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_aliases").await,
        non_empty_lines(&ofac[1])
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_addresses").await,
        non_empty_lines(&ofac[2])
    );

    // Each source's run row: read = taken + quarantined, and it matches the report.
    for (source, counts) in &report.sources {
        assert_eq!(
            counts.records_read,
            counts.records_taken + counts.records_quarantined,
            "{source}"
        );
    }
    assert_eq!(
        count(
            &lake,
            "SELECT count(*) FROM system.ingest_runs WHERE records_read <> records_taken + records_quarantined"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &lake,
            "SELECT sum(records_taken) FROM system.ingest_runs WHERE source = 'sanctions'"
        )
        .await,
        non_empty_lines(&ofac[0]) + non_empty_lines(&ofac[1]) + non_empty_lines(&ofac[2])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_sanctions_list_replaces_the_old_one_and_delists_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().join("lake").to_str().unwrap()).unwrap();
    let landing = lake.landing_dir().unwrap();
    let first = dir.path().join("first/sdn.csv");
    std::fs::create_dir_all(first.parent().unwrap()).unwrap();
    std::fs::write(&first, "1,ALPHA,-0- ,CUBA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,BETA,-0- ,IRAN,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n").unwrap();
    deliver_files(&landing, FileKind::Ofac, &[first]).unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_entries").await,
        2
    );

    // Load ids are times: wait so that the next publication sorts after the first.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = dir.path().join("second/sdn.csv");
    std::fs::create_dir_all(second.parent().unwrap()).unwrap();
    std::fs::write(&second, "2,BETA,-0- ,IRAN,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,delisted soon\n3,GAMMA,-0- ,SYRIA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n").unwrap();
    deliver_files(&landing, FileKind::Ofac, &[second]).unwrap();
    ingest_lake(&lake, &|_| {}).await.unwrap();
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_entries").await,
        2
    );
    assert_eq!(
        count(
            &lake,
            "SELECT count(*) FROM silver.sanctions_entries WHERE ent_num = 1"
        )
        .await,
        0
    );
    assert_eq!(
        count(&lake, "SELECT count(*) FROM silver.sanctions_entries WHERE ent_num = 2 AND remarks = 'delisted soon'").await,
        1
    );
}
