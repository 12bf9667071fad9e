//! Analysts' access to the lake.
//!
//! Locally: `paylake sql --role` masks or refuses personal data, refuses tables not granted and
//! every statement that would change the lake, and audits every query.
//!
//! On AWS (moto's server): the lake written with SSE-KMS; the Glue catalog, Lake Formation
//! grants and LF-tags derived from the registry; a query through Athena; and a Redshift load
//! from a manifest of the Delta table's live files.

use crate::moto;
use crate::support;
use crate::support::run;

use std::process::Command;

fn sql(lake: &str, role: &str, query: &str) -> std::process::Output {
    support::paylake_command()
        .args([
            "sql", "--lake", lake, "--role", role, "--user", "ana", "--format", "csv", query,
        ])
        .output()
        .unwrap()
}

fn refusal(output: &std::process::Output) -> String {
    assert!(
        !output.status.success(),
        "expected a refusal, got {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn roles_see_only_what_they_are_granted_and_every_query_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let lake = lake.to_str().unwrap();
    run(support::paylake_command().args([
        "demo",
        "--lake",
        lake,
        "--days",
        "2",
        "--payments-per-day",
        "60",
    ]));

    // Analysts: personal data reads as NULL, whatever the query does with it.
    let analyst = sql(lake, "analyst", "SELECT count(*) AS named, count(customer_id) AS ids FROM silver.customers WHERE full_name IS NOT NULL OR email LIKE '%@%'");
    assert!(
        analyst.status.success(),
        "{}",
        String::from_utf8_lossy(&analyst.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&analyst.stdout), "named,ids\n0,0\n");
    assert!(String::from_utf8_lossy(&analyst.stderr).contains("silver.customers.full_name"));
    let ids = run(support::paylake_command().args([
        "sql",
        "--lake",
        lake,
        "--role",
        "analyst",
        "--format",
        "csv",
        "SELECT count(customer_id) FROM silver.customers",
    ]));
    assert_ne!(
        ids.lines().nth(1),
        Some("0"),
        "analysts still see the rest of the row"
    );

    // Finance: personal data is refused, naming the column; AML tables are not granted.
    let memo = refusal(&sql(lake, "finance", "SELECT * FROM silver.transactions"));
    assert!(
        memo.contains("silver.transactions.memo holds personal data"),
        "{memo}"
    );
    let alerts = refusal(&sql(
        lake,
        "finance",
        "SELECT 1 WHERE EXISTS (SELECT alert_id FROM gold.aml_alerts)",
    ));
    assert!(
        alerts.contains("gold.aml_alerts is not granted"),
        "{alerts}"
    );
    assert!(
        sql(lake, "finance", "SELECT count(*) FROM gold.recon_summary")
            .status
            .success()
    );

    // Regulators: only what is exported to them, personal data included.
    assert!(refusal(&sql(
        lake,
        "regulator",
        "SELECT count(*) FROM silver.payments"
    ))
    .contains("silver.payments is not granted"));
    let names = sql(
        lake,
        "regulator",
        "SELECT count(customer_name) FROM gold.ctr_candidates",
    );
    assert!(names.status.success());
    assert_ne!(
        String::from_utf8_lossy(&names.stdout).lines().nth(1),
        Some("0")
    );
    // ... and of those tables only the records an export package delivered.
    let seen = |query: &str| {
        let output = sql(lake, "regulator", query);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let exported = |prefix: &str| {
        run(support::paylake_command().args([
            "sql", "--lake", lake, "--role", "compliance_officer", "--format", "csv",
            &format!("SELECT DISTINCT key FROM (SELECT unnest(record_keys) AS key FROM system.regulatory_exports) WHERE key LIKE '{prefix}%' ORDER BY key"),
        ]))
    };
    let ctrs = seen("SELECT DISTINCT concat('CTR-', customer_id, '-', CAST(business_date AS VARCHAR)) AS key FROM gold.ctr_candidates ORDER BY key");
    assert_eq!(ctrs, exported("CTR-"));
    assert!(ctrs.lines().count() > 1, "{ctrs}");
    // The SAR cases: the events of the cases a package filed, and no other case's.
    let cases = seen("SELECT DISTINCT case_id AS key FROM decisions.case_events ORDER BY key");
    assert_eq!(cases, exported("CASE-"));
    assert!(
        cases.lines().count() > 1,
        "the demo files an approved SAR: {cases}"
    );

    // No role changes the lake through SQL.
    for statement in [
        "CREATE TABLE gold.copy AS SELECT * FROM gold.aml_alerts",
        "INSERT INTO gold.aml_alerts SELECT * FROM gold.aml_alerts",
        "DROP TABLE gold.aml_alerts",
        "COPY gold.aml_alerts TO '/tmp/out.parquet'",
    ] {
        let refused = refusal(&sql(lake, "pipeline", statement));
        assert!(
            refused.contains("only reading queries run here"),
            "{statement}: {refused}"
        );
    }

    // The audit: every query above, who asked, in which role, and what became of it.
    let audit = run(support::paylake_command().args([
        "sql", "--lake", lake, "--role", "compliance_officer", "--format", "csv",
        "SELECT role, outcome, count(*) AS queries, max(array_to_string(tables_read, ';')) AS tables, min(user_name) AS user_name FROM system.query_audit GROUP BY role, outcome ORDER BY role, outcome",
    ]));
    let rows = support::csv_rows(&audit);
    let find = |role: &str, outcome: &str| {
        rows.iter()
            .find(|row| row[0] == role && row[1] == outcome)
            .unwrap_or_else(|| panic!("no {role} {outcome} row in\n{audit}"))
            .clone()
    };
    assert_eq!(find("analyst", "ran")[2], "2");
    assert_eq!(find("analyst", "ran")[3], "silver.customers");
    assert_eq!(find("analyst", "ran")[4], "ana");
    assert_eq!(find("finance", "refused")[2], "2");
    // A refused query still records what it tried to read.
    assert!(
        ["gold.aml_alerts", "silver.transactions"]
            .contains(&find("finance", "refused")[3].as_str()),
        "{audit}"
    );
    assert_eq!(find("pipeline", "refused")[2], "4");
    assert_eq!(find("regulator", "ran")[2], "3");
    // Analysts do not read the audit.
    assert!(
        refusal(&sql(lake, "analyst", "SELECT * FROM system.query_audit"))
            .contains("system.query_audit is not granted")
    );
}

/// One of the analysts' common questions, as committed.
const ALERTS_QUERY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sql/queries/alerts_by_rule_and_day.sql"
);

fn aws_paylake(moto: &moto::Moto) -> Command {
    let mut command = support::paylake_command();
    moto.aws_env(&mut command);
    command
}

#[test]
fn glue_lake_formation_athena_and_redshift_serve_the_lake_on_aws() {
    let moto = moto::Moto::start_with_batch_statements();
    let key_id = moto.python(
        "client('s3').create_bucket(Bucket='lake')\nprint(client('kms').create_key()['KeyMetadata']['KeyId'])",
    );
    let key_id = key_id.trim();
    let remote = "s3://lake/pl";
    run(aws_paylake(&moto).env("PAYLAKE_KMS_KEY_ID", key_id).args([
        "demo",
        "--lake",
        remote,
        "--days",
        "2",
        "--payments-per-day",
        "40",
    ]));

    // SSE-KMS on every kind of object paylake writes: data, the Delta log, landing, exports.
    let encryption = moto.python(&format!(
        r#"
s3 = client('s3')
kinds = {{}}
for page in s3.get_paginator('list_objects_v2').paginate(Bucket='lake', Prefix='pl/'):
    for item in page.get('Contents', []):
        key = item['Key']
        kind = 'log' if '_delta_log' in key else key.split('/')[1]
        if kind in kinds: continue
        head = s3.head_object(Bucket='lake', Key=key)
        kinds[kind] = (head.get('ServerSideEncryption'), head.get('SSEKMSKeyId', '').endswith('{key_id}'))
for kind, (mode, ours) in sorted(kinds.items()):
    print(kind, mode, ours)
"#
    ));
    for kind in ["gold", "silver", "log", "landing", "exports"] {
        assert!(
            encryption
                .lines()
                .any(|line| line == format!("{kind} aws:kms True")),
            "{kind} not encrypted with the key:\n{encryption}"
        );
    }

    // Glue: a database per zone, a DELTA table per written table, columns of the Delta log.
    let synced = run(aws_paylake(&moto).args(["catalog", "sync", "--lake", remote]));
    assert!(synced.contains("6 databases created"), "{synced}");
    let tables = moto.python(
        r#"
glue = client('glue')
for database in ['bronze', 'silver', 'gold', 'quarantine', 'system']:
    for table in glue.get_tables(DatabaseName=database)['TableList']:
        columns = ','.join(c['Name'] + ':' + c['Type'] for c in table['StorageDescriptor']['Columns'])
        print(database + '.' + table['Name'], table['Parameters']['table_type'], table['StorageDescriptor']['Location'], columns)
"#,
    );
    let alerts = tables
        .lines()
        .find(|line| line.starts_with("gold.aml_alerts "))
        .unwrap_or_else(|| panic!("no gold.aml_alerts in\n{tables}"));
    assert!(
        alerts.contains(" DELTA s3://lake/pl/gold/aml_alerts/ "),
        "{alerts}"
    );
    assert!(
        alerts.contains("amount_usd:decimal(18,2)")
            && alerts.contains("transaction_ids:array<string>")
            && alerts.contains("business_date:date")
            && alerts.ends_with("suppressed_by:string"),
        "{alerts}"
    );
    assert!(tables.lines().count() >= 30, "{tables}");
    let again = run(aws_paylake(&moto).args(["catalog", "sync", "--lake", remote]));
    assert!(
        again.contains("0 tables created, 0 updated") && again.contains("0 added, 0 removed"),
        "{again}"
    );

    // The gold tables as Parquet for engines without Delta: a partition per business date,
    // each over a symlink manifest that lists exactly the date's live files.
    let parquet = moto.python(&format!(
        r#"
from deltalake import DeltaTable
options = {{'AWS_ENDPOINT_URL': '{endpoint}', 'AWS_ALLOW_HTTP': 'true', 'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_REGION': 'us-east-1'}}
glue, s3 = client('glue'), client('s3')
table = glue.get_table(DatabaseName='gold_parquet', Name='aml_alerts')['Table']
print(table['StorageDescriptor']['InputFormat'], [k['Name'] for k in table['PartitionKeys']], 'business_date' in [c['Name'] for c in table['StorageDescriptor']['Columns']])
live = DeltaTable('s3://lake/pl/gold/aml_alerts', storage_options=options)
for partition in sorted(glue.get_partitions(DatabaseName='gold_parquet', TableName='aml_alerts')['Partitions'], key=lambda p: p['Values']):
    location = partition['StorageDescriptor']['Location']
    bucket, prefix = location[len('s3://'):].split('/', 1)
    listed = s3.get_object(Bucket=bucket, Key=prefix + 'manifest')['Body'].read().decode().split()
    files = live.file_uris(partition_filters=[('business_date', '=', partition['Values'][0])])
    print(partition['Values'][0], sorted(listed) == sorted(files), len(listed))
"#,
        endpoint = moto.endpoint()
    ));
    let mut parquet_lines = parquet.lines();
    assert_eq!(
        parquet_lines.next(),
        Some("org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat ['business_date'] False"),
        "{parquet}"
    );
    let partitions: Vec<&str> = parquet_lines.collect();
    assert_eq!(partitions.len(), 2, "{parquet}");
    assert!(
        partitions.iter().all(|line| line.contains(" True ")),
        "{parquet}"
    );

    // A schema that evolves (a column added by another Delta writer) updates the table.
    moto.python(&format!(
        r#"
import polars as pl
options = {{'AWS_ENDPOINT_URL': '{endpoint}', 'AWS_ALLOW_HTTP': 'true', 'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_REGION': 'us-east-1'}}
uri = 's3://lake/pl/gold/cost_budgets'
frame = pl.read_delta(uri, storage_options=options).head(1).with_columns(pl.lit('ops').alias('reviewer'))
frame.write_delta(uri, mode='append', storage_options=options, delta_write_options={{'schema_mode': 'merge'}})
"#,
        endpoint = moto.endpoint()
    ));
    let evolved = run(aws_paylake(&moto).args(["catalog", "sync", "--lake", remote]));
    // Both its catalog tables: the Delta one and the Parquet one.
    assert!(
        evolved.contains("2 updated") && evolved.contains("gold_parquet.cost_budgets"),
        "{evolved}"
    );
    let columns = moto.python("print([c['Name'] for c in client('glue').get_table(DatabaseName='gold', Name='cost_budgets')['Table']['StorageDescriptor']['Columns']])");
    assert!(columns.contains("'reviewer'"), "{columns}");

    // Lake Formation: grants derived from the registry, LF-tags on personal data.
    let granted = run(aws_paylake(&moto).args(["catalog", "grant", "--lake", remote]));
    assert!(granted.contains("0 revoked"), "{granted}");
    let permissions = moto.python(
        r#"
lf = client('lakeformation')
for grant in lf.list_permissions()['PrincipalResourcePermissions']:
    role = grant['Principal']['DataLakePrincipalIdentifier'].split('/')[-1]
    resource = grant['Resource']
    if 'Table' in resource:
        print(role, resource['Table']['DatabaseName'] + '.' + resource['Table']['Name'], 'table', ','.join(sorted(grant['Permissions'])))
    else:
        columns = resource['TableWithColumns']
        print(role, columns['DatabaseName'] + '.' + columns['Name'], 'excluding', ','.join(columns['ColumnWildcard']['ExcludedColumnNames']), ','.join(grant['Permissions']))
tags = lf.get_resource_lf_tags(Resource={'TableWithColumns': {'DatabaseName': 'silver', 'Name': 'customers', 'ColumnNames': ['full_name', 'customer_id']}})
for column in tags.get('LFTagsOnColumns', []):
    print('tag', column['Name'], ','.join(t['TagKey'] + '=' + ','.join(t['TagValues']) for t in column['LFTags']))
"#,
    );
    let lines: Vec<&str> = permissions.lines().collect();
    assert!(lines.contains(&"paylake-analyst silver.customers excluding address,date_of_birth,email,full_name,phone SELECT"), "{permissions}");
    assert!(
        lines.contains(&"paylake-analyst gold.aml_alerts table DESCRIBE,SELECT"),
        "{permissions}"
    );
    assert!(
        lines.contains(&"paylake-compliance-officer silver.customers table DESCRIBE,SELECT"),
        "{permissions}"
    );
    assert!(
        lines.contains(&"paylake-pipeline bronze.customers table ALL"),
        "{permissions}"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.starts_with("paylake-finance gold.aml_alerts")),
        "{permissions}"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.starts_with("paylake-analyst bronze.")),
        "{permissions}"
    );
    let regulator: Vec<_> = lines
        .iter()
        .filter(|line| line.starts_with("paylake-regulator "))
        .collect();
    assert!(
        !regulator.is_empty()
            && regulator.iter().all(|line| [
                "gold.ctr_candidates",
                "decisions.case_events",
                "system.regulatory_exports",
                "system.regulatory_filings"
            ]
            .iter()
            // The same tables in the Parquet databases.
            .any(|t| line.replace("_parquet.", ".").contains(&format!(" {t} ")))),
        "{permissions}"
    );
    assert!(
        lines.contains(&"tag full_name personal_data=true"),
        "{permissions}"
    );
    // A grant made by hand outside the registry is revoked; the derived ones stay.
    moto.python("client('lakeformation').grant_permissions(Principal={'DataLakePrincipalIdentifier': 'arn:aws:iam::111122223333:role/paylake-analyst'}, Resource={'Table': {'DatabaseName': 'bronze', 'Name': 'customers'}}, Permissions=['SELECT'])");
    let regranted = run(aws_paylake(&moto).args(["catalog", "grant", "--lake", remote]));
    assert!(
        regranted.contains("0 grants made, 1 revoked"),
        "{regranted}"
    );

    // Athena: the query runs in the configured workgroup and its rows come back.
    moto.python(&format!(
        r#"
import json, urllib.request
rows = [{{'Data': [{{'VarCharValue': 'rule_id'}}, {{'VarCharValue': 'alerts'}}]}}, {{'Data': [{{'VarCharValue': 'fan_in'}}, {{'VarCharValue': '3'}}]}}]
body = {{'account_id': '123456789012', 'region': 'us-east-1', 'results': [{{'rows': rows, 'column_info': [{{'Name': 'rule_id', 'Type': 'varchar'}}, {{'Name': 'alerts', 'Type': 'bigint'}}]}}]}}
request = urllib.request.Request('{endpoint}/moto-api/static/athena/query-results', data=json.dumps(body).encode(), method='POST', headers={{'Content-Type': 'application/json'}})
urllib.request.urlopen(request).read()
client('athena').create_work_group(Name='analysts')
"#,
        endpoint = moto.endpoint()
    ));
    let athena = run(aws_paylake(&moto)
        .env("PAYLAKE_AWS_ATHENA_WORKGROUP", "analysts")
        .env("PAYLAKE_AWS_ATHENA_OUTPUT", "s3://lake/athena-results/")
        .args(["athena", "query", "--format", "csv", "--file", ALERTS_QUERY]));
    assert_eq!(athena, "rule_id,alerts\nfan_in,3\n");
    // The analysts' query file went to Athena as written, in the workgroup, on gold.
    let execution = moto.python(&format!(
        "a = client('athena')\nfor e in a.list_query_executions(WorkGroup='analysts')['QueryExecutionIds']:\n    q = a.get_query_execution(QueryExecutionId=e)['QueryExecution']\n    print(q['WorkGroup'], q['QueryExecutionContext']['Database'], q['Query'] == open('{ALERTS_QUERY}').read())"
    ));
    assert_eq!(execution, "analysts gold True\n");

    // Redshift: a manifest of the live files of the date, COPY then MERGE in one batch.
    let loaded = run(aws_paylake(&moto)
        .env("PAYLAKE_AWS_STATEMENT_TIMEOUT_SECONDS", "30")
        .args([
            "warehouse",
            "load",
            "--lake",
            remote,
            "--date",
            "2026-03-02",
            "--table",
            "gold.ctr_candidates",
            "--table",
            "gold.aml_alerts",
        ]));
    assert!(
        loaded.contains("loaded 2026-03-02 into Redshift: 2 tables"),
        "{loaded}"
    );
    let statement_id = loaded
        .lines()
        .find(|line| line.starts_with("gold.aml_alerts:"))
        .and_then(|line| line.rsplit("statement ").next())
        .unwrap()
        .trim()
        .to_string();
    let checked = moto.python(&format!(
        r#"
import json
from deltalake import DeltaTable
options = {{'AWS_ENDPOINT_URL': '{endpoint}', 'AWS_ALLOW_HTTP': 'true', 'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_REGION': 'us-east-1'}}
statement = client('redshift-data').describe_statement(Id='{statement_id}')
subs = [s['QueryString'] for s in statement['SubStatements']]
copy = next(s for s in subs if s.startswith('COPY'))
manifest_url = copy.split("FROM '")[1].split("'")[0]
bucket, key = manifest_url[len('s3://'):].split('/', 1)
manifest = json.loads(client('s3').get_object(Bucket=bucket, Key=key)['Body'].read())
listed = sorted(e['url'] for e in manifest['entries'])
live = sorted(DeltaTable('s3://lake/pl/gold/aml_alerts', storage_options=options).file_uris(partition_filters=[('business_date', '=', '2026-03-02')]))
print(statement['Status'], len(subs), listed == live, len(listed), all(e['meta']['content_length'] > 0 for e in manifest['entries']))
print(subs[0], '|', subs[1].split(' (')[0])
print(subs[5].split(' USING')[0])
"#,
        endpoint = moto.endpoint()
    ));
    let mut lines = checked.lines();
    let summary = lines.next().unwrap();
    assert!(
        summary.starts_with("FINISHED 7 True ") && summary.ends_with(" True"),
        "{checked}"
    );
    assert_ne!(summary.split(' ').nth(3), Some("0"), "{checked}");
    assert_eq!(
        lines.next(),
        Some("CREATE SCHEMA IF NOT EXISTS gold | CREATE TABLE IF NOT EXISTS gold.aml_alerts")
    );
    assert_eq!(lines.next(), Some("MERGE INTO gold.aml_alerts AS t"));
}
