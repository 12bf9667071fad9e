//! Sanctions list publications through the `paylake` binary: a list that is not a complete
//! publication is refused whole with its reason, and the list before it stays in force.

use crate::support;

fn paylake(args: &[&str]) -> String {
    support::run(support::paylake_command().args(args))
}

fn entries(lake: &str) -> Vec<String> {
    support::csv_rows(&paylake(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT COUNT(*), COUNT(DISTINCT _source_file) FROM silver.sanctions_entries",
    ]))
    .remove(0)
}

/// Loads the list files of `folder` as one publication (`paylake load` ingests them).
fn publish(lake: &str, folder: &std::path::Path) {
    let files: Vec<String> = ["sdn.csv", "alt.csv", "add.csv"]
        .iter()
        .map(|name| folder.join(name).to_str().unwrap().to_string())
        .collect();
    let mut load = vec!["load", "--lake", lake, "--kind", "ofac"];
    load.extend(files.iter().map(String::as_str));
    paylake(&load);
}

#[test]
fn a_publication_cut_short_is_refused_whole_and_the_list_before_it_stays_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake = lake.to_str().unwrap();
    let list = support::shared_data("sanctions/ofac-2022-01-31");
    publish(lake, &list);
    let first = entries(lake);
    assert_eq!(first[0], "9044", "{first:?}");

    // The next publication: the same aliases and addresses, its entries cut off mid-line, as
    // by an interrupted download.
    let next = dir.path().join("next");
    std::fs::create_dir_all(&next).unwrap();
    let sdn = std::fs::read_to_string(list.join("sdn.csv")).unwrap();
    std::fs::write(next.join("sdn.csv"), &sdn[..sdn.len() / 2]).unwrap();
    for name in ["alt.csv", "add.csv"] {
        std::fs::copy(list.join(name), next.join(name)).unwrap();
    }
    publish(lake, &next);

    // Nothing of it was taken: the entries and aliases are the first list's, whole.
    assert_eq!(entries(lake), first);
    let aliases = support::csv_rows(&paylake(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT COUNT(*) FROM silver.sanctions_aliases",
    ]));
    assert_eq!(aliases[0][0], "12409");
    // Each of its three files is in quarantine with the reason, naming the file cut short.
    let refused = support::csv_rows(&paylake(&[
        "sql",
        "--lake",
        lake,
        "--format",
        "csv",
        "SELECT source_file, reason FROM quarantine.sanctions ORDER BY source_file",
    ]));
    assert_eq!(refused.len(), 3, "{refused:?}");
    for row in &refused {
        assert!(
            row[1].contains("is refused whole and the list before it stays in force")
                && row[1].contains("sdn.csv is cut short"),
            "{row:?}"
        );
    }
}
