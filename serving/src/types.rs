//! Arrow types as the engines that read the lake name them: Hive/Glue (what Athena reads) and
//! Redshift.

use arrow::datatypes::{DataType, TimeUnit};

/// The Glue (Hive) type of a column, as Athena reads it.
pub fn glue_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".to_string(),
        DataType::Boolean => "boolean".to_string(),
        DataType::Int8 => "tinyint".to_string(),
        DataType::Int16 => "smallint".to_string(),
        DataType::Int32 => "int".to_string(),
        DataType::Int64 => "bigint".to_string(),
        DataType::Float32 => "float".to_string(),
        DataType::Float64 => "double".to_string(),
        DataType::Decimal128(precision, scale) => format!("decimal({precision},{scale})"),
        DataType::Date32 => "date".to_string(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => "timestamp".to_string(),
        DataType::Binary | DataType::LargeBinary => "binary".to_string(),
        DataType::List(item) | DataType::LargeList(item) => {
            format!("array<{}>", glue_type(item.data_type()))
        }
        DataType::Struct(fields) => format!(
            "struct<{}>",
            fields
                .iter()
                .map(|field| format!("{}:{}", field.name(), glue_type(field.data_type())))
                .collect::<Vec<_>>()
                .join(",")
        ),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(pair) if pair.len() == 2 => format!(
                "map<{},{}>",
                glue_type(pair[0].data_type()),
                glue_type(pair[1].data_type())
            ),
            other => format!("map<string,{}>", glue_type(other)),
        },
        other => other.to_string().to_lowercase(),
    }
}

/// The Redshift type of a column. Nested values load into SUPER (COPY's SERIALIZETOJSON).
pub fn redshift_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR(65535)".to_string(),
        DataType::Boolean => "BOOLEAN".to_string(),
        DataType::Int8 | DataType::Int16 => "SMALLINT".to_string(),
        DataType::Int32 => "INTEGER".to_string(),
        DataType::Int64 => "BIGINT".to_string(),
        DataType::Float32 => "REAL".to_string(),
        DataType::Float64 => "DOUBLE PRECISION".to_string(),
        DataType::Decimal128(precision, scale) => format!("DECIMAL({precision},{scale})"),
        DataType::Date32 => "DATE".to_string(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMPTZ".to_string(),
        DataType::Timestamp(_, None) => "TIMESTAMP".to_string(),
        DataType::Binary | DataType::LargeBinary => "VARBYTE".to_string(),
        _ => "SUPER".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::datatypes::Field;

    use super::*;

    #[test]
    fn lake_types_map_to_athena_and_redshift_types() {
        let money = DataType::Decimal128(18, 2);
        assert_eq!(glue_type(&money), "decimal(18,2)");
        assert_eq!(redshift_type(&money), "DECIMAL(18,2)");
        let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        assert_eq!(glue_type(&utc), "timestamp");
        assert_eq!(redshift_type(&utc), "TIMESTAMPTZ");
        let list = DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)));
        assert_eq!(glue_type(&list), "array<string>");
        assert_eq!(redshift_type(&list), "SUPER");
    }
}
