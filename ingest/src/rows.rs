//! Rows of typed values, turned into Arrow batches by a table's schema.
//!
//! Source readers parse records one at a time (JSON, CSV, XML, Parquet rows), so that a bad
//! record can be quarantined on its own; this module turns the good ones into columns.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, ListBuilder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
/// Exact decimal text of money, shared with the other stages.
pub use paylake_catalog::money::{format_decimal, parse_decimal};

/// One typed value of a record. Decimals are unscaled integers at the column's scale.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Integer(i64),
    Boolean(bool),
    /// Unscaled decimal; its scale is the target column's.
    Decimal(i128),
    /// Microseconds since the Unix epoch, UTC.
    TimestampMicros(i64),
    /// Days since the Unix epoch.
    Date(i32),
    TextList(Vec<String>),
    /// A value of a nested or binary type, as an array of one element of its column's type.
    Array(ArrayRef),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// Builds a batch of `schema` from rows whose values follow the schema's column order.
pub fn rows_to_batch(schema: &SchemaRef, rows: &[Vec<Value>]) -> Result<RecordBatch, ArrowError> {
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(column_index, field)| {
            build_column(field.name(), field.data_type(), rows, column_index)
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns)
}

fn mismatch(column: &str, value: &Value) -> ArrowError {
    ArrowError::InvalidArgumentError(format!("column '{column}' cannot hold {value:?}"))
}

fn build_column(
    column: &str,
    data_type: &DataType,
    rows: &[Vec<Value>],
    column_index: usize,
) -> Result<ArrayRef, ArrowError> {
    let values = rows.iter().map(|row| &row[column_index]);
    let nested_type = match data_type {
        DataType::Struct(_) | DataType::Binary => true,
        DataType::List(element) => element.data_type() != &DataType::Utf8,
        _ => false,
    };
    if nested_type
        || rows
            .iter()
            .any(|row| matches!(row[column_index], Value::Array(_)))
    {
        return nested_column(column, data_type, rows, column_index);
    }
    let array: ArrayRef = match data_type {
        DataType::Utf8 => {
            let mut builder = StringBuilder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Text(text) => builder.append_value(text),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Int64 => {
            let mut builder = Int64Builder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Integer(number) => builder.append_value(*number),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Boolean => {
            let mut builder = BooleanBuilder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Boolean(flag) => builder.append_value(*flag),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Decimal128(precision, scale) => {
            let mut builder = Decimal128Builder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Decimal(unscaled) => builder.append_value(*unscaled),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(
                builder
                    .finish()
                    .with_precision_and_scale(*precision, *scale)?,
            )
        }
        DataType::Timestamp(TimeUnit::Microsecond, timezone) => {
            let mut builder = TimestampMicrosecondBuilder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::TimestampMicros(micros) => builder.append_value(*micros),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish().with_timezone_opt(timezone.clone()))
        }
        DataType::Date32 => {
            let mut builder = Date32Builder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Date(days) => builder.append_value(*days),
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish())
        }
        DataType::List(item) if item.data_type() == &DataType::Utf8 => {
            let mut builder = ListBuilder::new(StringBuilder::new()).with_field(item.clone());
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::TextList(items) => {
                        builder.append_value(items.iter().map(|item| Some(item.as_str())))
                    }
                    other => return Err(mismatch(column, other)),
                }
            }
            Arc::new(builder.finish())
        }
        other => {
            return Err(ArrowError::NotYetImplemented(format!(
                "column '{column}' of type {other}"
            )))
        }
    };
    Ok(array)
}

/// A column of one-element arrays (nested and binary values), concatenated.
fn nested_column(
    column: &str,
    data_type: &DataType,
    rows: &[Vec<Value>],
    column_index: usize,
) -> Result<ArrayRef, ArrowError> {
    let parts = rows
        .iter()
        .map(|row| match &row[column_index] {
            Value::Array(array) if array.data_type() == data_type => Ok(array.clone()),
            Value::Null => Ok(arrow::array::new_null_array(data_type, 1)),
            other => Err(mismatch(column, other)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let parts: Vec<&dyn arrow::array::Array> = parts.iter().map(|part| part.as_ref()).collect();
    arrow::compute::concat(&parts)
}

/// Parses the text of a delimited file into a value of `data_type`.
/// Empty text and the literal `NULL` are nulls.
pub fn parse_text_value(data_type: &DataType, text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "NULL" {
        return Ok(Value::Null);
    }
    match data_type {
        DataType::Utf8 => Ok(Value::Text(trimmed.to_string())),
        DataType::Int64 => trimmed
            .parse()
            .map(Value::Integer)
            .map_err(|_| format!("'{trimmed}' is not an integer")),
        DataType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Ok(Value::Boolean(true)),
            "false" | "f" | "0" => Ok(Value::Boolean(false)),
            _ => Err(format!("'{trimmed}' is not a boolean")),
        },
        DataType::Decimal128(_, scale) => {
            parse_decimal(trimmed, u32::try_from(*scale).unwrap_or(0)).map(Value::Decimal)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            parse_timestamp_micros(trimmed).map(Value::TimestampMicros)
        }
        DataType::Date32 => parse_date_days(trimmed).map(Value::Date),
        other => Err(format!("no text form for type {other}")),
    }
}

/// Parses `2024-09-18 22:00:00[.ffffff]`, `2024-09-18T22:00:00[.fff]Z` or an RFC 3339 time
/// with an offset, into UTC microseconds. A time without offset is UTC.
pub fn parse_timestamp_micros(text: &str) -> Result<i64, String> {
    if let Ok(with_offset) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.timestamp_micros());
    }
    // PostgreSQL's text output of timestamptz: `2026-03-02 10:00:00.5+00`.
    if let Ok(with_offset) = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Ok(with_offset.timestamp_micros());
    }
    let without_zone = text.trim_end_matches('Z');
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(without_zone, format) {
            return Ok(naive.and_utc().timestamp_micros());
        }
    }
    Err(format!("'{text}' is not a timestamp"))
}

/// Parses `YYYY-MM-DD` into days since the Unix epoch.
pub fn parse_date_days(text: &str) -> Result<i32, String> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date"))?;
    Ok(days_since_epoch(date))
}

pub fn days_since_epoch(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    i32::try_from((date - epoch).num_days()).expect("dates of the lake fit in i32 days")
}

/// Reads the value at `row` of an Arrow array already cast to a registry type.
pub fn value_at(array: &dyn arrow::array::Array, row: usize) -> Result<Value, ArrowError> {
    use arrow::array::{
        AsArray, BooleanArray, Date32Array, Decimal128Array, Int64Array, TimestampMicrosecondArray,
    };
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let any = array.as_any();
    let value = match array.data_type() {
        DataType::Utf8 => Value::Text(array.as_string::<i32>().value(row).to_string()),
        DataType::Int64 => Value::Integer(downcast::<Int64Array>(any)?.value(row)),
        DataType::Boolean => Value::Boolean(downcast::<BooleanArray>(any)?.value(row)),
        DataType::Decimal128(_, _) => Value::Decimal(downcast::<Decimal128Array>(any)?.value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Value::TimestampMicros(downcast::<TimestampMicrosecondArray>(any)?.value(row))
        }
        DataType::Date32 => Value::Date(downcast::<Date32Array>(any)?.value(row)),
        other => {
            return Err(ArrowError::NotYetImplemented(format!(
                "reading values of type {other}"
            )))
        }
    };
    Ok(value)
}

fn downcast<T: 'static>(any: &dyn std::any::Any) -> Result<&T, ArrowError> {
    any.downcast_ref::<T>()
        .ok_or_else(|| ArrowError::CastError("array is not of its declared type".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_a_batch_and_mismatched_values_name_their_column() {
        use arrow::datatypes::{Field, Schema};
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
        ]));
        let batch = rows_to_batch(
            &schema,
            &[
                vec!["a".into(), Value::Decimal(100)],
                vec![Value::Null, Value::Null],
            ],
        )
        .unwrap();
        assert_eq!(batch.num_rows(), 2);
        let err = rows_to_batch(&schema, &[vec![Value::Integer(1), Value::Null]]).unwrap_err();
        assert!(err.to_string().contains("column 'id'"));
    }
}
