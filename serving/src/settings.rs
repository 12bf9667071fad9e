//! The `[aws]` section of `paylake.toml`: where the lake is served to analysts. Every key can
//! be overridden by `PAYLAKE_AWS_<KEY>` (e.g. `PAYLAKE_AWS_ATHENA_WORKGROUP`).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsSettings {
    /// Glue databases are named `<prefix><zone>`; empty, they are the zones' names, so that the
    /// same SQL runs locally and on Athena.
    pub glue_database_prefix: String,
    /// Athena workgroup queries run in.
    pub athena_workgroup: String,
    /// Where Athena writes query results; the workgroup's setting when unset.
    pub athena_output: Option<String>,
    /// Redshift Serverless workgroup the warehouse is loaded into (or set `redshift_cluster`).
    pub redshift_workgroup: Option<String>,
    /// Provisioned Redshift cluster, instead of a Serverless workgroup.
    pub redshift_cluster: Option<String>,
    pub redshift_database: String,
    /// Database user, with a provisioned cluster and temporary credentials.
    pub redshift_db_user: Option<String>,
    /// IAM role Redshift assumes to read the lake's files in COPY.
    pub redshift_iam_role: String,
    /// How long a query or load may run before paylake gives up waiting on it.
    pub statement_timeout_seconds: u64,
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            glue_database_prefix: String::new(),
            athena_workgroup: "primary".to_string(),
            athena_output: None,
            redshift_workgroup: Some("paylake".to_string()),
            redshift_cluster: None,
            redshift_database: "dev".to_string(),
            redshift_db_user: None,
            redshift_iam_role: "arn:aws:iam::111122223333:role/paylake-redshift-copy".to_string(),
            statement_timeout_seconds: 900,
        }
    }
}

impl AwsSettings {
    /// Applies `PAYLAKE_AWS_*` overrides read through `env`.
    pub fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) {
        let text = |key: &str| env(&format!("PAYLAKE_AWS_{key}")).filter(|v| !v.is_empty());
        if let Some(value) = text("GLUE_DATABASE_PREFIX") {
            self.glue_database_prefix = value;
        }
        if let Some(value) = text("ATHENA_WORKGROUP") {
            self.athena_workgroup = value;
        }
        if let Some(value) = text("ATHENA_OUTPUT") {
            self.athena_output = Some(value);
        }
        if let Some(value) = text("REDSHIFT_WORKGROUP") {
            self.redshift_workgroup = Some(value);
        }
        if let Some(value) = text("REDSHIFT_CLUSTER") {
            self.redshift_cluster = Some(value);
        }
        if let Some(value) = text("REDSHIFT_DATABASE") {
            self.redshift_database = value;
        }
        if let Some(value) = text("REDSHIFT_DB_USER") {
            self.redshift_db_user = Some(value);
        }
        if let Some(value) = text("REDSHIFT_IAM_ROLE") {
            self.redshift_iam_role = value;
        }
        if let Some(seconds) = text("STATEMENT_TIMEOUT_SECONDS").and_then(|v| v.parse().ok()) {
            self.statement_timeout_seconds = seconds;
        }
    }

    /// The Glue (and Athena) database of a zone.
    pub fn database_of(&self, zone: &str) -> String {
        format!("{}{zone}", self.glue_database_prefix)
    }
}
