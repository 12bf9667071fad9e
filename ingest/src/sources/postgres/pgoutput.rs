//! Decoder of PostgreSQL's `pgoutput` logical replication messages, protocol version 1.
//!
//! The messages are those a replication slot of plugin `pgoutput` emits (and
//! `pg_logical_slot_peek_binary_changes` returns, one per row): Begin, Relation, Insert,
//! Update, Delete, Truncate, Commit, plus Origin, Type and Message, which carry nothing for
//! the lake. Column values arrive in PostgreSQL's text output format.
//! See "Logical Replication Message Formats" in the PostgreSQL manual.

/// Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01.
const POSTGRES_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

/// A column of a tuple: null, an unchanged TOASTed value (not sent), or its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TupleValue {
    Null,
    UnchangedToast,
    Text(String),
}

/// A table as a Relation message describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub id: u32,
    pub namespace: String,
    pub name: String,
    pub columns: Vec<RelationColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationColumn {
    pub name: String,
    /// Part of the replica identity (the primary key by default).
    pub is_key: bool,
    pub type_oid: u32,
    /// `atttypmod`: a numeric's precision and scale, a varchar's length; -1 when none.
    pub type_modifier: i32,
}

/// One decoded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Begin {
        final_lsn: u64,
        commit_micros: i64,
        xid: u32,
    },
    Commit {
        commit_lsn: u64,
        end_lsn: u64,
        commit_micros: i64,
    },
    Relation(Relation),
    Insert {
        relation_id: u32,
        new: Vec<TupleValue>,
    },
    Update {
        relation_id: u32,
        /// The old key (`K`) or whole old row (`O`, with REPLICA IDENTITY FULL), when sent:
        /// always when the key changed.
        old: Option<Vec<TupleValue>>,
        new: Vec<TupleValue>,
    },
    Delete {
        relation_id: u32,
        old: Vec<TupleValue>,
    },
    Truncate {
        relation_ids: Vec<u32>,
    },
    /// Origin, Type and logical decoding Message: nothing the lake keeps.
    Other(u8),
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pgoutput message '{tag}' at byte {offset}: {reason}")]
pub struct DecodeError {
    pub tag: char,
    pub offset: usize,
    pub reason: String,
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
    tag: char,
}

impl<'a> Reader<'a> {
    fn error(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError {
            tag: self.tag,
            offset: self.offset,
            reason: reason.into(),
        }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .offset
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.error(format!("truncated: {count} more bytes expected")))?;
        let taken = &self.bytes[self.offset..end];
        self.offset = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn i16(&mut self) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(
            self.take(2)?.try_into().expect("two bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("four bytes"),
        ))
    }
    fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(
            self.take(4)?.try_into().expect("four bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().expect("eight bytes"),
        ))
    }
    fn timestamp_micros(&mut self) -> Result<i64, DecodeError> {
        let since_2000 = i64::from_be_bytes(self.take(8)?.try_into().expect("eight bytes"));
        Ok(since_2000 + POSTGRES_EPOCH_OFFSET_MICROS)
    }
    fn string(&mut self) -> Result<String, DecodeError> {
        let rest = &self.bytes[self.offset..];
        let length = rest
            .iter()
            .position(|byte| *byte == 0)
            .ok_or_else(|| self.error("string without its terminating zero"))?;
        let text = std::str::from_utf8(&rest[..length])
            .map_err(|err| self.error(format!("string is not UTF-8: {err}")))?
            .to_string();
        self.offset += length + 1;
        Ok(text)
    }

    fn tuple(&mut self) -> Result<Vec<TupleValue>, DecodeError> {
        let count = self.i16()?;
        let mut values = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for _ in 0..count {
            let value = match self.u8()? {
                b'n' => TupleValue::Null,
                b'u' => TupleValue::UnchangedToast,
                b't' => {
                    let length = usize::try_from(self.i32()?)
                        .map_err(|_| self.error("negative value length"))?;
                    let bytes = self.take(length)?;
                    TupleValue::Text(
                        std::str::from_utf8(bytes)
                            .map_err(|err| self.error(format!("value is not UTF-8: {err}")))?
                            .to_string(),
                    )
                }
                other => {
                    return Err(self.error(format!(
                        "unknown tuple value kind '{}' (binary values need protocol 2)",
                        other as char
                    )))
                }
            };
            values.push(value);
        }
        Ok(values)
    }

    fn expect(&mut self, wanted: u8) -> Result<(), DecodeError> {
        let found = self.u8()?;
        if found != wanted {
            return Err(self.error(format!(
                "expected '{}' but found '{}'",
                wanted as char, found as char
            )));
        }
        Ok(())
    }
}

/// Decodes one pgoutput message.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let Some(&tag) = bytes.first() else {
        return Err(DecodeError {
            tag: '?',
            offset: 0,
            reason: "empty message".into(),
        });
    };
    let mut reader = Reader {
        bytes,
        offset: 1,
        tag: tag as char,
    };
    let message = match tag {
        b'B' => Message::Begin {
            final_lsn: reader.u64()?,
            commit_micros: reader.timestamp_micros()?,
            xid: reader.u32()?,
        },
        b'C' => {
            let _flags = reader.u8()?;
            Message::Commit {
                commit_lsn: reader.u64()?,
                end_lsn: reader.u64()?,
                commit_micros: reader.timestamp_micros()?,
            }
        }
        b'R' => {
            let id = reader.u32()?;
            let namespace = reader.string()?;
            let name = reader.string()?;
            let _replica_identity = reader.u8()?;
            let count = reader.i16()?;
            let mut columns = Vec::new();
            for _ in 0..count {
                let flags = reader.u8()?;
                let name = reader.string()?;
                let type_oid = reader.u32()?;
                let type_modifier = reader.i32()?;
                columns.push(RelationColumn {
                    name,
                    is_key: flags & 1 == 1,
                    type_oid,
                    type_modifier,
                });
            }
            Message::Relation(Relation {
                id,
                namespace,
                name,
                columns,
            })
        }
        b'I' => {
            let relation_id = reader.u32()?;
            reader.expect(b'N')?;
            Message::Insert {
                relation_id,
                new: reader.tuple()?,
            }
        }
        b'U' => {
            let relation_id = reader.u32()?;
            let (old, new) = match reader.u8()? {
                b'K' | b'O' => {
                    let old = reader.tuple()?;
                    reader.expect(b'N')?;
                    (Some(old), reader.tuple()?)
                }
                b'N' => (None, reader.tuple()?),
                other => {
                    return Err(reader.error(format!("unknown update part '{}'", other as char)))
                }
            };
            Message::Update {
                relation_id,
                old,
                new,
            }
        }
        b'D' => {
            let relation_id = reader.u32()?;
            match reader.u8()? {
                b'K' | b'O' => {}
                other => {
                    return Err(reader.error(format!("unknown delete part '{}'", other as char)))
                }
            }
            Message::Delete {
                relation_id,
                old: reader.tuple()?,
            }
        }
        b'T' => {
            let count = reader.u32()?;
            let _options = reader.u8()?;
            let relation_ids = (0..count)
                .map(|_| reader.u32())
                .collect::<Result<Vec<_>, _>>()?;
            Message::Truncate { relation_ids }
        }
        b'O' | b'Y' | b'M' => Message::Other(tag),
        other => {
            return Err(DecodeError {
                tag: other as char,
                offset: 0,
                reason: "unknown message type".into(),
            })
        }
    };
    Ok(message)
}

/// Parses an LSN as PostgreSQL prints it, `16/B374D848`.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    Some((u64::from_str_radix(high, 16).ok()? << 32) | u64::from_str_radix(low, 16).ok()?)
}

/// Prints an LSN as PostgreSQL does.
pub fn format_lsn(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(values: &[Option<&str>]) -> Vec<u8> {
        let mut bytes = (values.len() as i16).to_be_bytes().to_vec();
        for value in values {
            match value {
                None => bytes.push(b'n'),
                Some(text) => {
                    bytes.push(b't');
                    bytes.extend((text.len() as i32).to_be_bytes());
                    bytes.extend(text.as_bytes());
                }
            }
        }
        bytes
    }

    #[test]
    fn decodes_relation_insert_update_with_old_key_delete_and_commit() {
        let mut relation = vec![b'R'];
        relation.extend(16384_u32.to_be_bytes());
        relation.extend(b"public\0customers\0");
        relation.push(b'd');
        relation.extend(2_i16.to_be_bytes());
        relation.push(1);
        relation.extend(b"customer_id\0");
        relation.extend(25_u32.to_be_bytes());
        relation.extend((-1_i32).to_be_bytes());
        relation.push(0);
        relation.extend(b"risk_rating\0");
        relation.extend(25_u32.to_be_bytes());
        relation.extend((-1_i32).to_be_bytes());
        let Message::Relation(decoded) = decode(&relation).unwrap() else {
            panic!("not a relation");
        };
        assert_eq!(decoded.name, "customers");
        assert!(decoded.columns[0].is_key && !decoded.columns[1].is_key);

        let mut update = vec![b'U'];
        update.extend(16384_u32.to_be_bytes());
        update.push(b'K');
        update.extend(tuple(&[Some("C1"), None]));
        update.push(b'N');
        update.extend(tuple(&[Some("C9"), Some("high")]));
        assert_eq!(
            decode(&update).unwrap(),
            Message::Update {
                relation_id: 16384,
                old: Some(vec![TupleValue::Text("C1".into()), TupleValue::Null]),
                new: vec![
                    TupleValue::Text("C9".into()),
                    TupleValue::Text("high".into())
                ],
            }
        );

        let mut commit = vec![b'C', 0];
        commit.extend(0x16_B374_D848_u64.to_be_bytes());
        commit.extend(0x16_B374_D900_u64.to_be_bytes());
        commit.extend(1_i64.to_be_bytes());
        assert_eq!(
            decode(&commit).unwrap(),
            Message::Commit {
                commit_lsn: 0x16_B374_D848,
                end_lsn: 0x16_B374_D900,
                commit_micros: POSTGRES_EPOCH_OFFSET_MICROS + 1,
            }
        );
    }

    #[test]
    fn truncated_messages_are_errors_not_panics() {
        let mut insert = vec![b'I'];
        insert.extend(1_u32.to_be_bytes());
        insert.push(b'N');
        insert.extend(tuple(&[Some("abc")]));
        insert.truncate(insert.len() - 1);
        let error = decode(&insert).unwrap_err();
        assert_eq!(error.tag, 'I');
        assert!(error.reason.contains("truncated"));
        assert!(decode(&[]).is_err());
        assert!(decode(b"Z").is_err());
    }

    #[test]
    fn lsns_print_and_parse_as_postgres_does() {
        assert_eq!(parse_lsn("16/B374D848"), Some(0x16_B374_D848));
        assert_eq!(format_lsn(0x16_B374_D848), "16/B374D848");
        assert_eq!(parse_lsn("nonsense"), None);
    }
}
