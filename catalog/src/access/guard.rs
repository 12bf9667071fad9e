//! The access policy applied to local queries: only reading queries run; a role reads only the
//! tables granted to it, and of those only the rows its row filters keep; personal-data
//! columns are masked (read as NULL) or refused by role.
//!
//! The check reads the optimised plan, so it sees exactly the columns each scan reads, however
//! the query names them (`SELECT *`, a filter, a subquery, a join).

use std::collections::{BTreeMap, BTreeSet};

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{Column, ScalarValue};
use datafusion::dataframe::DataFrame;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{lit, Expr, LogicalPlan};
use datafusion::prelude::SessionContext;

use crate::access::settings::{PersonalData, Role};
use crate::error::{CatalogError, Result};
use crate::lake::Lake;
use crate::registry::registry;
use crate::session::{lake_session, register};

/// A query the role may run, planned, with what it reads.
pub struct GuardedQuery {
    pub frame: DataFrame,
    /// `zone.table` of every lake table the query reads.
    pub tables_read: Vec<String>,
    /// `zone.table.column` of every personal-data column read as NULL for the role.
    pub columns_masked: Vec<String>,
}

/// A lake session as `role` sees it: only the rows its row filters keep, and the
/// personal-data columns it has masked read as NULL of their type, so that no expression over
/// them can reveal a value.
pub async fn role_session(lake: &Lake, role: &Role) -> Result<SessionContext> {
    let context = lake_session(lake).await?;
    // Filters first, over the stored rows; masks then apply to what the filters kept.
    for (name, condition) in &role.row_filters {
        let table = registry().find(name)?;
        // As a query, not `DataFrame::parse_sql_expr`: a condition with a subquery names other
        // tables, which only the planning of a whole statement resolves.
        let query = crate::sql::render(
            "access/row_filter.sql",
            &[("table", name.clone()), ("condition", condition.clone())],
        )?;
        let kept = context.sql(&query).await?;
        register(&context, table, kept.into_view())?;
    }
    if role.personal_data != PersonalData::Masked {
        return Ok(context);
    }
    for table in registry().tables() {
        let withheld = role.withheld_columns(table);
        if withheld.is_empty() || !role.reads(table) {
            continue;
        }
        let frame = context.table(table.qualified_name()).await?;
        let columns = frame
            .schema()
            .fields()
            .iter()
            .map(|field| {
                let column = Expr::Column(Column::new_unqualified(field.name()));
                if !withheld.contains(&field.name().as_str()) {
                    return Ok(column);
                }
                Ok(lit(ScalarValue::try_from(field.data_type())?).alias(field.name()))
            })
            .collect::<Result<Vec<_>>>()?;
        register(&context, table, frame.select(columns)?.into_view())?;
    }
    Ok(context)
}

/// A query planned, not yet run or authorised, with the lake tables it names.
pub struct PlannedQuery {
    state: SessionState,
    plan: LogicalPlan,
    /// `zone.table` of every lake table the query names (also when it is refused).
    pub tables_named: Vec<String>,
}

/// Plans `query` in a session made by [`role_session`]. Planned, not run: DataFusion runs DDL
/// as it plans it through `SessionContext::sql`.
pub async fn plan_query(context: &SessionContext, query: &str) -> Result<PlannedQuery> {
    let state = context.state();
    let plan = state.create_logical_plan(query).await?;
    // Tables as the query names them: the optimiser may drop a scan it proves empty.
    let tables_named = columns_read_by_table(&plan)?
        .into_keys()
        .filter(|name| registry().find(name).is_ok())
        .collect();
    Ok(PlannedQuery {
        state,
        plan,
        tables_named,
    })
}

/// Authorises a planned query for `role`, or refuses it with the table or column and why.
pub fn authorize(role: &Role, planned: PlannedQuery) -> Result<GuardedQuery> {
    let refuse = |reason: String| CatalogError::Refused {
        role: role.name.clone(),
        reason,
    };
    let PlannedQuery {
        state,
        plan,
        tables_named,
    } = planned;
    if let Some(statement) = changing_statement(&plan) {
        return Err(refuse(format!(
            "only reading queries run here, and {statement} would change the lake"
        )));
    }
    // Columns as the optimised plan reads them: exactly what each scan reads.
    let columns_read = columns_read_by_table(&state.optimize(&plan)?)?;
    let mut columns_masked = Vec::new();
    for name in &tables_named {
        let table = registry().find(name)?;
        if !role.reads(table) {
            return Err(refuse(format!(
                "{name} is not granted to this role, which reads {} (access.toml)",
                role.grant_summary()
            )));
        }
        let withheld = role.withheld_columns(table);
        let columns = columns_read.get(name);
        match role.personal_data {
            PersonalData::Allowed => {}
            PersonalData::Refused => {
                if let Some(column) = withheld
                    .iter()
                    .find(|c| columns.is_some_and(|read| read.contains(**c)))
                {
                    return Err(refuse(format!(
                        "{name}.{column} holds personal data, which this role does not see; \
                         name the columns you need without it (SELECT * reads it too)"
                    )));
                }
            }
            PersonalData::Masked => {
                columns_masked.extend(withheld.iter().map(|column| format!("{name}.{column}")));
            }
        }
    }
    Ok(GuardedQuery {
        frame: DataFrame::new(state, plan),
        tables_read: tables_named,
        columns_masked,
    })
}

/// The kind of a statement that would change the lake or the session, if `plan` is one.
fn changing_statement(plan: &LogicalPlan) -> Option<String> {
    match plan {
        LogicalPlan::Ddl(ddl) => Some(ddl.name().to_string()),
        LogicalPlan::Dml(dml) => Some(dml.op.to_string()),
        LogicalPlan::Copy(_) => Some("COPY".to_string()),
        LogicalPlan::Statement(statement) => Some(statement.name().to_string()),
        _ => None,
    }
}

/// The columns every table scan of the plan reads, by `zone.table`.
fn columns_read_by_table(plan: &LogicalPlan) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut reads: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let name = match scan.table_name.schema() {
                Some(schema) => format!("{schema}.{}", scan.table_name.table()),
                None => scan.table_name.table().to_string(),
            };
            let schema = scan.source.schema();
            let columns = reads.entry(name).or_default();
            match &scan.projection {
                Some(indices) => {
                    columns.extend(indices.iter().map(|i| schema.field(*i).name().clone()))
                }
                None => columns.extend(schema.fields().iter().map(|f| f.name().clone())),
            }
            for filter in &scan.filters {
                columns.extend(filter.column_refs().into_iter().map(|c| c.name.clone()));
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(reads)
}
