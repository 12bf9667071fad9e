//! Appending a few rows to a table, column by column: the shape of paylake's own records
//! (exports, filings, the query audit), built loosely typed and cast to the registry's schema.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, ListBuilder, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate, Utc};

use crate::delta::{app_transaction_version, append, conform_to_schema, open_or_create_table};
use crate::error::Result;
use crate::lake::Lake;
use crate::registry::TableDef;

/// Appends one commit of rows given as one array per column of `table`, in schema order.
pub async fn append_columns(lake: &Lake, table: &TableDef, columns: Vec<ArrayRef>) -> Result<()> {
    let batch = columns_batch(table, columns)?;
    let delta_table = open_or_create_table(lake, table).await?;
    append(delta_table, table, vec![batch], vec![]).await?;
    Ok(())
}

/// Appends one commit of rows like [`append_columns`], once per `app_id`: the commit records
/// it as an application transaction, and nothing is written (`false`) when the table holds it
/// already. Two writers of the same `app_id` at once conflict, and the later one fails.
pub async fn append_columns_once(
    lake: &Lake,
    table: &TableDef,
    columns: Vec<ArrayRef>,
    app_id: &str,
) -> Result<bool> {
    let delta_table = open_or_create_table(lake, table).await?;
    if app_transaction_version(&delta_table, table, app_id)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let batch = columns_batch(table, columns)?;
    let transaction = deltalake::kernel::Transaction::new(app_id, 1);
    append(delta_table, table, vec![batch], vec![transaction]).await?;
    Ok(true)
}

/// A batch of `table`'s schema from one array per column, in schema order.
pub fn columns_batch(table: &TableDef, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    let fields: Vec<_> = table.schema.fields().iter().cloned().collect();
    debug_assert_eq!(fields.len(), columns.len(), "a value for every column");
    // Built loosely typed, then cast to the registry's schema (list item names, nullability).
    let loose = arrow::datatypes::Schema::new(
        fields
            .iter()
            .zip(&columns)
            .map(|(field, column)| {
                arrow::datatypes::Field::new(field.name(), column.data_type().clone(), true)
            })
            .collect::<Vec<_>>(),
    );
    let batch = RecordBatch::try_new(Arc::new(loose), columns)?;
    conform_to_schema(&batch, &table.schema)
}

pub fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

pub fn dates(values: impl Iterator<Item = NaiveDate>) -> ArrayRef {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    Arc::new(Date32Array::from_iter_values(values.map(|date| {
        i32::try_from((date - epoch).num_days()).expect("dates fit in i32 days")
    })))
}

pub fn optional_dates(values: impl Iterator<Item = Option<NaiveDate>>) -> ArrayRef {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    Arc::new(
        values
            .map(|value| {
                value.map(|date| {
                    i32::try_from((date - epoch).num_days()).expect("dates fit in i32 days")
                })
            })
            .collect::<Date32Array>(),
    )
}

pub fn timestamps(values: impl Iterator<Item = Option<DateTime<Utc>>>) -> ArrayRef {
    Arc::new(
        values
            .map(|value| value.map(|time| time.timestamp_micros()))
            .collect::<TimestampMicrosecondArray>()
            .with_timezone("UTC"),
    )
}

pub fn string_lists<'a>(values: impl Iterator<Item = &'a Vec<String>>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for list in values {
        for value in list {
            builder.values().append_value(value);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

/// A column of text lists (`text_list`, whatever string type the scan gave its items) as one
/// list per row; a null list reads as empty.
pub fn text_lists_of(column: &ArrayRef) -> Result<Vec<Vec<String>>> {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{DataType, Field};
    let text_list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let lists = arrow::compute::cast(column, &text_list)?;
    let lists = lists.as_list::<i32>();
    Ok((0..lists.len())
        .map(|row| {
            if lists.is_null(row) {
                return Vec::new();
            }
            let values = lists.value(row);
            let values = values.as_string::<i32>();
            values.iter().flatten().map(str::to_string).collect()
        })
        .collect())
}

/// Appends one row of `table`, each column's value given as text and cast to its type, in a
/// commit of its own; the table's version after it. For tests that need a table's rows.
#[cfg(test)]
pub(crate) async fn append_row_of_text(
    lake: &Lake,
    table: &TableDef,
    text_of: impl Fn(&arrow::datatypes::Field) -> String,
) -> u64 {
    let columns = table
        .schema
        .fields()
        .iter()
        .map(|field| {
            let text = arrow::array::StringArray::from(vec![text_of(field)]);
            arrow::compute::cast(&text, field.data_type()).unwrap()
        })
        .collect();
    let batch = columns_batch(table, columns).unwrap();
    let delta_table = open_or_create_table(lake, table).await.unwrap();
    let written = append(delta_table, table, vec![batch], vec![])
        .await
        .unwrap();
    written.version().unwrap()
}
