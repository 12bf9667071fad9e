//! Lake Formation: the roles' grants derived from the registry (the same answer `paylake sql
//! --role` enforces locally), LF-tags on zones and personal-data columns, and the lake's S3
//! location registered. Grants that are no longer derived are revoked, so that the catalog's
//! grants never drift from `access.toml` and the registry.

use std::collections::BTreeSet;

use aws_sdk_lakeformation::types::{
    ColumnWildcard, DataLakePrincipal, LfTagPair, Permission, PrincipalResourcePermissions,
    Resource, TableResource, TableWithColumnsResource,
};
use paylake_catalog::access::{table_grants, AccessSettings, ColumnGrant};
use paylake_catalog::{Lake, Zone};

use crate::error::{Result, ServingError};
use crate::settings::AwsSettings;
use crate::symlink::parquet_database;

const SERVICE: &str = "lakeformation";
/// LF-tag on every table: the zone it belongs to.
pub const ZONE_TAG: &str = "paylake_zone";
/// LF-tag on every personal-data column, from the registry.
pub const PERSONAL_DATA_TAG: &str = "personal_data";

/// What applying the grants did.
#[derive(Debug, Default)]
pub struct GrantSummary {
    pub granted: usize,
    pub revoked: usize,
    pub unchanged: usize,
    pub tables_tagged: usize,
    pub columns_tagged: usize,
}

/// One permission set of one principal on one table (or its columns but some).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LfGrant {
    pub principal: String,
    pub database: String,
    pub table: String,
    /// `Some(columns)`: every column but these (a column-level grant).
    pub excluded_columns: Option<Vec<String>>,
    pub permissions: Vec<String>,
}

/// A whole catalog table as a Lake Formation resource.
fn table_resource(database: &str, table: &str) -> Resource {
    Resource::builder()
        .table(
            TableResource::builder()
                .database_name(database)
                .name(table)
                .build()
                .expect("database name is set"),
        )
        .build()
}

impl LfGrant {
    fn resource(&self) -> Resource {
        match &self.excluded_columns {
            None => table_resource(&self.database, &self.table),
            Some(excluded) => Resource::builder()
                .table_with_columns(
                    TableWithColumnsResource::builder()
                        .database_name(&self.database)
                        .name(&self.table)
                        .column_wildcard(
                            ColumnWildcard::builder()
                                .set_excluded_column_names(Some(excluded.clone()))
                                .build(),
                        )
                        .build()
                        .expect("database and table names are set"),
                )
                .build(),
        }
    }

    fn principal(&self) -> DataLakePrincipal {
        DataLakePrincipal::builder()
            .data_lake_principal_identifier(&self.principal)
            .build()
    }

    fn permissions(&self) -> Vec<Permission> {
        self.permissions
            .iter()
            .map(|permission| Permission::from(permission.as_str()))
            .collect()
    }
}

/// The grants the roles get on the catalogued tables, derived from the registry. A table
/// catalogued twice (as Delta, and as Parquet for engines without Delta) is granted alike in
/// both databases.
pub fn derived_grants(
    access: &AccessSettings,
    catalogued: &BTreeSet<CataloguedTable>,
) -> Vec<LfGrant> {
    let mut grants = Vec::new();
    for grant in table_grants(access) {
        let qualified_name = grant.table.qualified_name();
        for catalogued in catalogued.iter().filter(|c| c.table == qualified_name) {
            for principal in &grant.role.principals {
                let on_table =
                    |permissions: &[&str], excluded_columns: Option<Vec<String>>| LfGrant {
                        principal: principal.clone(),
                        database: catalogued.database.clone(),
                        table: grant.table.name.to_string(),
                        excluded_columns,
                        permissions: permissions.iter().map(|p| p.to_string()).collect(),
                    };
                if grant.role.write {
                    grants.push(on_table(&["ALL"], None));
                    continue;
                }
                match &grant.columns {
                    ColumnGrant::All => grants.push(on_table(&["DESCRIBE", "SELECT"], None)),
                    ColumnGrant::Excluding(columns) => {
                        grants.push(on_table(&["DESCRIBE"], None));
                        let mut excluded: Vec<String> =
                            columns.iter().map(|c| c.to_string()).collect();
                        excluded.sort();
                        grants.push(on_table(&["SELECT"], Some(excluded)));
                    }
                }
            }
        }
    }
    grants.sort();
    grants
}

/// Registers the lake's location, tags zones and personal-data columns, grants what is
/// derived and revokes what no longer is.
pub async fn apply_grants(
    client: &aws_sdk_lakeformation::Client,
    glue: &aws_sdk_glue::Client,
    lake: &Lake,
    settings: &AwsSettings,
    access: &AccessSettings,
) -> Result<GrantSummary> {
    let mut summary = GrantSummary::default();
    register_location(client, lake).await?;
    let zones: Vec<String> = Zone::ALL
        .iter()
        .map(|zone| zone.as_str().to_string())
        .collect();
    ensure_tag(client, ZONE_TAG, zones).await?;
    ensure_tag(client, PERSONAL_DATA_TAG, vec!["true".to_string()]).await?;

    let catalogued = catalogued_tables(glue, settings).await?;
    for CataloguedTable {
        database,
        table: name,
    } in &catalogued
    {
        let table = paylake_catalog::registry().find(name)?;
        let whole_table = table_resource(database, table.name);
        add_tag(client, whole_table, ZONE_TAG, table.zone.as_str(), name).await?;
        summary.tables_tagged += 1;
        if table.personal_data.is_empty() {
            continue;
        }
        let columns = Resource::builder()
            .table_with_columns(
                TableWithColumnsResource::builder()
                    .database_name(database)
                    .name(table.name)
                    .set_column_names(Some(
                        table.personal_data.iter().map(|c| c.to_string()).collect(),
                    ))
                    .build()
                    .map_err(|err| ServingError::build(SERVICE, "AddLFTagsToResource", err))?,
            )
            .build();
        add_tag(client, columns, PERSONAL_DATA_TAG, "true", name).await?;
        summary.columns_tagged += table.personal_data.len();
    }

    let databases: BTreeSet<String> = Zone::ALL
        .iter()
        .flat_map(|zone| {
            [
                settings.database_of(zone.as_str()),
                parquet_database(settings, zone.as_str()),
            ]
        })
        .collect();
    let existing = existing_grants(client, &databases).await?;
    let desired = derived_grants(access, &catalogued);
    for grant in existing.iter().filter(|grant| !desired.contains(grant)) {
        change_grant(client, grant, Change::Revoke).await?;
        summary.revoked += 1;
    }
    for grant in &desired {
        if existing.contains(grant) {
            summary.unchanged += 1;
            continue;
        }
        change_grant(client, grant, Change::Grant).await?;
        summary.granted += 1;
    }
    tracing::info!(
        granted = summary.granted,
        revoked = summary.revoked,
        "lake formation grants applied"
    );
    Ok(summary)
}

enum Change {
    Grant,
    Revoke,
}

/// Grants or revokes one grant; an error names the principal and the table.
async fn change_grant(
    client: &aws_sdk_lakeformation::Client,
    grant: &LfGrant,
    change: Change,
) -> Result<()> {
    let (principal, resource, permissions) = (
        grant.principal(),
        grant.resource(),
        Some(grant.permissions()),
    );
    let target = format!("{} on {}.{}", grant.principal, grant.database, grant.table);
    match change {
        Change::Grant => client
            .grant_permissions()
            .principal(principal)
            .resource(resource)
            .set_permissions(permissions)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| ServingError::aws(SERVICE, format!("GrantPermissions {target}"), err)),
        Change::Revoke => client
            .revoke_permissions()
            .principal(principal)
            .resource(resource)
            .set_permissions(permissions)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| ServingError::aws(SERVICE, format!("RevokePermissions {target}"), err)),
    }
}

async fn register_location(client: &aws_sdk_lakeformation::Client, lake: &Lake) -> Result<()> {
    let root = lake.root();
    if !matches!(root.scheme(), "s3" | "s3a") {
        return Ok(()); // a local lake has no S3 location to register
    }
    let arn = format!(
        "arn:aws:s3:::{}{}",
        root.host_str().unwrap_or_default(),
        root.path().trim_end_matches('/')
    );
    match client
        .register_resource()
        .resource_arn(&arn)
        .use_service_linked_role(true)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_already_exists_exception()) =>
        {
            Ok(())
        }
        Err(err) => Err(ServingError::aws(
            SERVICE,
            format!("RegisterResource {arn}"),
            err,
        )),
    }
}

/// Creates the LF-tag with `values`, or adds the values it lacks.
async fn ensure_tag(
    client: &aws_sdk_lakeformation::Client,
    key: &str,
    values: Vec<String>,
) -> Result<()> {
    // moto answers a missing tag with an empty one, Lake Formation with EntityNotFound; any
    // other failure (access denied, throttling past the retries) is the caller's to see.
    let existing: Vec<String> = match client.get_lf_tag().tag_key(key).send().await {
        Ok(tag) => tag.tag_values().to_vec(),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_not_found_exception()) =>
        {
            vec![]
        }
        Err(err) => return Err(ServingError::aws(SERVICE, format!("GetLFTag {key}"), err)),
    };
    if existing.is_empty() {
        client
            .create_lf_tag()
            .tag_key(key)
            .set_tag_values(Some(values))
            .send()
            .await
            .map_err(|err| ServingError::aws(SERVICE, format!("CreateLFTag {key}"), err))?;
        return Ok(());
    }
    let missing: Vec<String> = values
        .into_iter()
        .filter(|v| !existing.contains(v))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    client
        .update_lf_tag()
        .tag_key(key)
        .set_tag_values_to_add(Some(missing))
        .send()
        .await
        .map_err(|err| ServingError::aws(SERVICE, format!("UpdateLFTag {key}"), err))?;
    Ok(())
}

async fn add_tag(
    client: &aws_sdk_lakeformation::Client,
    resource: Resource,
    key: &str,
    value: &str,
    table: &str,
) -> Result<()> {
    let tag = LfTagPair::builder()
        .tag_key(key)
        .tag_values(value)
        .build()
        .map_err(|err| ServingError::build(SERVICE, "LFTagPair", err))?;
    client
        .add_lf_tags_to_resource()
        .resource(resource)
        .lf_tags(tag)
        .send()
        .await
        .map_err(|err| {
            ServingError::aws(SERVICE, format!("AddLFTagsToResource {table} {key}"), err)
        })?;
    Ok(())
}

/// A registry table as the Glue catalog holds it: in its zone's database, or (gold) in the
/// zone's Parquet database too.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CataloguedTable {
    pub database: String,
    /// `zone.table` in the registry.
    pub table: String,
}

/// Every registry table the Glue catalog holds, in either of its databases.
async fn catalogued_tables(
    glue: &aws_sdk_glue::Client,
    settings: &AwsSettings,
) -> Result<BTreeSet<CataloguedTable>> {
    let mut catalogued = BTreeSet::new();
    for zone in Zone::ALL {
        for database in [
            settings.database_of(zone.as_str()),
            parquet_database(settings, zone.as_str()),
        ] {
            let mut pages = glue
                .get_tables()
                .database_name(&database)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = match page {
                    Ok(page) => page,
                    Err(err)
                        if err
                            .as_service_error()
                            .is_some_and(|e| e.is_entity_not_found_exception()) =>
                    {
                        break
                    }
                    Err(err) => {
                        return Err(ServingError::aws(
                            "glue",
                            format!("GetTables {database}"),
                            err,
                        ))
                    }
                };
                for table in page.table_list() {
                    let name = format!("{}.{}", zone.as_str(), table.name());
                    if paylake_catalog::registry().find(&name).is_ok() {
                        catalogued.insert(CataloguedTable {
                            database: database.clone(),
                            table: name,
                        });
                    }
                }
            }
        }
    }
    Ok(catalogued)
}

/// The grants Lake Formation holds on tables of paylake's databases.
async fn existing_grants(
    client: &aws_sdk_lakeformation::Client,
    databases: &BTreeSet<String>,
) -> Result<BTreeSet<LfGrant>> {
    let mut grants = BTreeSet::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = client
            .list_permissions()
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|err| ServingError::aws(SERVICE, "ListPermissions", err))?;
        grants.extend(
            page.principal_resource_permissions()
                .iter()
                .filter_map(grant_of)
                .filter(|grant| databases.contains(&grant.database)),
        );
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(grants)
}

fn grant_of(listed: &PrincipalResourcePermissions) -> Option<LfGrant> {
    let principal = listed
        .principal()?
        .data_lake_principal_identifier()?
        .to_string();
    let resource = listed.resource()?;
    let mut permissions: Vec<String> = listed
        .permissions()
        .iter()
        .map(|permission| permission.as_str().to_string())
        .collect();
    permissions.sort();
    let (database, table, excluded_columns) = if let Some(table) = resource.table() {
        (
            table.database_name().to_string(),
            table.name()?.to_string(),
            None,
        )
    } else {
        let columns = resource.table_with_columns()?;
        let mut excluded: Vec<String> = columns
            .column_wildcard()
            .map(|wildcard| wildcard.excluded_column_names().to_vec())
            .unwrap_or_default();
        excluded.sort();
        (
            columns.database_name().to_string(),
            columns.name().to_string(),
            Some(excluded),
        )
    };
    Some(LfGrant {
        principal,
        database,
        table,
        excluded_columns,
        permissions,
    })
}
