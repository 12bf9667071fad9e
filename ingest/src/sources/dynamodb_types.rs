//! DynamoDB JSON attribute values as Arrow, for attributes the registry does not list.
//!
//! Every type maps: `N` is a decimal (scale from the digits seen, never a float), `S` text,
//! `BOOL` boolean, `B` binary, the sets `SS`/`NS`/`BS` lists, `L` a list and `M` a struct whose
//! fields are the union of the keys seen. Values of one attribute that disagree in type across
//! records (a string here, a map there) fall back to their DynamoDB JSON text, so nothing is lost.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, BinaryBuilder, BooleanBuilder, Decimal128Builder, ListArray,
    StringBuilder, StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, Fields};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value as Json;

use crate::rows::parse_decimal;

/// Decimal precision of DynamoDB numbers (they carry up to 38 significant digits).
const NUMBER_PRECISION: u8 = 38;

fn descriptor(attribute: &Json) -> Result<(&str, &Json), String> {
    attribute
        .as_object()
        .filter(|object| object.len() == 1)
        .and_then(|object| object.iter().next())
        .map(|(name, content)| (name.as_str(), content))
        .ok_or_else(|| format!("{attribute} is not a DynamoDB JSON attribute value"))
}

fn scale_of(number: &str) -> i8 {
    let mantissa = number.split(['e', 'E']).next().unwrap_or(number);
    let fraction = mantissa
        .split_once('.')
        .map_or("", |(_, fraction)| fraction);
    let exponent: i32 = number
        .split_once(['e', 'E'])
        .and_then(|(_, exponent)| exponent.parse().ok())
        .unwrap_or(0);
    (fraction.trim_end_matches('0').len() as i32 - exponent).clamp(0, 18) as i8
}

fn list_of(element: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", element, true)))
}

/// The Arrow type of one attribute value; `None` for NULL, which says nothing of the type.
pub fn attribute_type(attribute: &Json) -> Result<Option<DataType>, String> {
    let (kind, content) = descriptor(attribute)?;
    let members = || content.as_array().ok_or(format!("{kind} is not a list"));
    Ok(Some(match kind {
        "NULL" => return Ok(None),
        "S" => DataType::Utf8,
        "BOOL" => DataType::Boolean,
        "B" => DataType::Binary,
        "N" => DataType::Decimal128(NUMBER_PRECISION, scale_of(content.as_str().unwrap_or(""))),
        "SS" => list_of(DataType::Utf8),
        "BS" => list_of(DataType::Binary),
        "NS" => {
            let scale = members()?
                .iter()
                .map(|member| scale_of(member.as_str().unwrap_or("")))
                .max()
                .unwrap_or(0);
            list_of(DataType::Decimal128(NUMBER_PRECISION, scale))
        }
        "L" => {
            let mut element: Option<DataType> = None;
            for item in members()? {
                element = unify(element, attribute_type(item)?);
            }
            list_of(element.unwrap_or(DataType::Utf8))
        }
        "M" => {
            let map = content.as_object().ok_or("M is not an object")?;
            let mut names: Vec<&String> = map.keys().collect();
            names.sort();
            let fields: Vec<Field> = names
                .into_iter()
                .map(|name| {
                    attribute_type(&map[name]).map(|data_type| {
                        Field::new(name, data_type.unwrap_or(DataType::Utf8), true)
                    })
                })
                .collect::<Result<_, _>>()?;
            DataType::Struct(Fields::from(fields))
        }
        other => return Err(format!("unknown DynamoDB type '{other}'")),
    }))
}

/// One type for two values of an attribute: decimals widen their scale, structs take the
/// union of their fields, lists unify their elements; anything else that differs is text.
pub fn unify(known: Option<DataType>, seen: Option<DataType>) -> Option<DataType> {
    let (known, seen) = match (known, seen) {
        (None, seen) => return seen,
        (known, None) => return known,
        (Some(known), Some(seen)) => (known, seen),
    };
    Some(match (known, seen) {
        (known, seen) if known == seen => known,
        (DataType::Decimal128(_, left), DataType::Decimal128(_, right)) => {
            DataType::Decimal128(NUMBER_PRECISION, left.max(right))
        }
        (DataType::List(left), DataType::List(right)) => list_of(
            unify(
                Some(left.data_type().clone()),
                Some(right.data_type().clone()),
            )
            .unwrap_or(DataType::Utf8),
        ),
        (DataType::Struct(left), DataType::Struct(right)) => {
            let mut fields: Vec<Field> = left.iter().map(|field| field.as_ref().clone()).collect();
            for field in right.iter() {
                match fields.iter_mut().find(|known| known.name() == field.name()) {
                    Some(known) => {
                        let data_type = unify(
                            Some(known.data_type().clone()),
                            Some(field.data_type().clone()),
                        )
                        .unwrap_or(DataType::Utf8);
                        *known = Field::new(field.name(), data_type, true);
                    }
                    None => fields.push(field.as_ref().clone()),
                }
            }
            fields.sort_by(|a, b| a.name().cmp(b.name()));
            DataType::Struct(Fields::from(fields))
        }
        _ => DataType::Utf8,
    })
}

/// The values of one attribute (None where absent or NULL) as an array of `data_type`.
pub fn attributes_array(
    values: &[Option<&Json>],
    data_type: &DataType,
) -> Result<ArrayRef, String> {
    let present: Vec<Option<(&str, &Json)>> = values
        .iter()
        .map(|value| match value {
            None => Ok(None),
            Some(attribute) => descriptor(attribute)
                .map(|(kind, content)| (kind != "NULL").then_some((kind, content))),
        })
        .collect::<Result<_, _>>()?;
    let array: ArrayRef = match data_type {
        DataType::Utf8 => {
            let mut builder = StringBuilder::new();
            for (value, attribute) in present.iter().zip(values) {
                match (value, attribute) {
                    (None, _) => builder.append_null(),
                    (Some(("S", content)), _) => {
                        builder.append_value(content.as_str().unwrap_or_default())
                    }
                    // A value whose type disagrees with the others keeps its DynamoDB JSON.
                    (Some(_), Some(attribute)) => builder.append_value(attribute.to_string()),
                    (Some(_), None) => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Boolean => {
            let mut builder = BooleanBuilder::new();
            for value in &present {
                match value {
                    None => builder.append_null(),
                    Some((_, content)) => {
                        builder.append_value(content.as_bool().ok_or("BOOL is not a boolean")?)
                    }
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Binary => {
            let mut builder = BinaryBuilder::new();
            for value in &present {
                match value {
                    None => builder.append_null(),
                    Some((_, content)) => {
                        let bytes = BASE64
                            .decode(content.as_str().unwrap_or_default())
                            .map_err(|err| format!("B is not base64: {err}"))?;
                        builder.append_value(bytes);
                    }
                }
            }
            Arc::new(builder.finish())
        }
        DataType::Decimal128(precision, scale) => {
            let mut builder = Decimal128Builder::new();
            for value in &present {
                match value {
                    None => builder.append_null(),
                    Some((_, content)) => builder.append_value(parse_decimal(
                        content.as_str().ok_or("N is not a number string")?,
                        u32::try_from(*scale).unwrap_or(0),
                    )?),
                }
            }
            Arc::new(
                builder
                    .finish()
                    .with_precision_and_scale(*precision, *scale)
                    .map_err(|err| err.to_string())?,
            )
        }
        DataType::List(element) => {
            // Set members are bare strings: they are wrapped as the attribute values they are.
            let mut items: Vec<Json> = Vec::new();
            let mut lengths = Vec::with_capacity(present.len());
            for value in &present {
                let Some((kind, content)) = value else {
                    lengths.push(0);
                    continue;
                };
                let members = content.as_array().ok_or(format!("{kind} is not a list"))?;
                lengths.push(members.len());
                items.extend(members.iter().map(|member| match *kind {
                    "SS" => serde_json::json!({ "S": member }),
                    "NS" => serde_json::json!({ "N": member }),
                    "BS" => serde_json::json!({ "B": member }),
                    _ => member.clone(),
                }));
            }
            let item_refs: Vec<Option<&Json>> = items.iter().map(Some).collect();
            let child = attributes_array(&item_refs, element.data_type())?;
            let nulls = NullBuffer::from(present.iter().map(Option::is_some).collect::<Vec<_>>());
            Arc::new(
                ListArray::try_new(
                    element.clone(),
                    OffsetBuffer::from_lengths(lengths),
                    child,
                    Some(nulls),
                )
                .map_err(|err| err.to_string())?,
            )
        }
        DataType::Struct(fields) => {
            let maps: Vec<Option<&serde_json::Map<String, Json>>> = present
                .iter()
                .map(|value| value.and_then(|(_, content)| content.as_object()))
                .collect();
            let children = fields
                .iter()
                .map(|field| {
                    let child: Vec<Option<&Json>> = maps
                        .iter()
                        .map(|map| map.and_then(|map| map.get(field.name())))
                        .collect();
                    attributes_array(&child, field.data_type())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let nulls = NullBuffer::from(maps.iter().map(Option::is_some).collect::<Vec<_>>());
            Arc::new(
                StructArray::try_new(fields.clone(), children, Some(nulls))
                    .map_err(|err| err.to_string())?,
            )
        }
        other => return Ok(new_null_array(other, values.len())),
    };
    debug_assert_eq!(array.len(), values.len());
    Ok(array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;
    use arrow::datatypes::Decimal128Type;
    use serde_json::json;

    #[test]
    fn every_type_maps_with_numbers_exact_and_structure_kept() {
        let item = json!({"M": {
            "score": {"N": "0.875"},
            "tags": {"SS": ["vip", "eu"]},
            "limits": {"NS": ["100", "2.5"]},
            "device": {"M": {"id": {"S": "d-1"}, "trusted": {"BOOL": true}}},
            "history": {"L": [{"N": "1"}, {"N": "2.25"}]},
            "token": {"B": "AAEC"},
            "note": {"NULL": true}
        }});
        let data_type = attribute_type(&item).unwrap().unwrap();
        let array = attributes_array(&[Some(&item), None], &data_type).unwrap();
        let record = array.as_struct();
        assert!(record.is_null(1));
        let score = record
            .column_by_name("score")
            .unwrap()
            .as_primitive::<Decimal128Type>();
        assert_eq!(score.value(0), 875);
        assert_eq!(score.scale(), 3);
        let tags = record.column_by_name("tags").unwrap().as_list::<i32>();
        assert_eq!(tags.value(0).as_string::<i32>().value(1), "eu");
        let limits = record.column_by_name("limits").unwrap().as_list::<i32>();
        let limits = limits.value(0);
        let limits = limits.as_primitive::<Decimal128Type>();
        assert_eq!((limits.value(0), limits.value(1)), (1000, 25));
        let device = record.column_by_name("device").unwrap().as_struct();
        assert!(device
            .column_by_name("trusted")
            .unwrap()
            .as_boolean()
            .value(0));
        let history = record.column_by_name("history").unwrap().as_list::<i32>();
        assert_eq!(
            history.value(0).as_primitive::<Decimal128Type>().value(1),
            225
        );
        let token = record.column_by_name("token").unwrap().as_binary::<i32>();
        assert_eq!(token.value(0), &[0, 1, 2]);
        assert!(record.column_by_name("note").unwrap().is_null(0));
    }

    #[test]
    fn types_unify_across_records_and_disagreements_stay_as_text() {
        let small = json!({"N": "1.5"});
        let precise = json!({"N": "2.125"});
        let unified = unify(
            attribute_type(&small).unwrap(),
            attribute_type(&precise).unwrap(),
        )
        .unwrap();
        assert_eq!(unified, DataType::Decimal128(38, 3));
        let text = json!({"S": "x"});
        let map = json!({"M": {"a": {"S": "y"}}});
        let mixed = unify(
            attribute_type(&text).unwrap(),
            attribute_type(&map).unwrap(),
        )
        .unwrap();
        assert_eq!(mixed, DataType::Utf8);
        let array = attributes_array(&[Some(&text), Some(&map)], &mixed).unwrap();
        assert_eq!(
            array.as_string::<i32>().value(1),
            r#"{"M":{"a":{"S":"y"}}}"#
        );
    }
}
