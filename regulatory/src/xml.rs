//! A small XML writer: indented elements, escaped text, and FinCEN's `SeqNum` numbering.

use std::fmt::Write as _;

/// An XML document being written.
pub struct XmlDocument {
    text: String,
    open: Vec<String>,
    next_sequence_number: u64,
}

impl XmlDocument {
    pub fn new() -> Self {
        XmlDocument {
            text: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string(),
            open: Vec::new(),
            next_sequence_number: 1,
        }
    }

    /// Opens an element with attributes (values escaped).
    pub fn open(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.indent();
        let _ = write!(self.text, "<{name}");
        for (attribute, value) in attributes {
            let _ = write!(self.text, " {attribute}=\"{}\"", escape(value));
        }
        self.text.push_str(">\n");
        self.open.push(name.to_string());
    }

    /// Opens an element carrying the next `SeqNum`, unique in the document.
    pub fn open_numbered(&mut self, name: &str) -> u64 {
        let sequence_number = self.next_sequence_number;
        self.next_sequence_number += 1;
        self.open(name, &[("SeqNum", sequence_number.to_string())]);
        sequence_number
    }

    pub fn close(&mut self) {
        let name = self.open.pop().expect("close matches an open element");
        self.indent();
        let _ = writeln!(self.text, "</{name}>");
    }

    /// An element holding text.
    pub fn leaf(&mut self, name: &str, value: &str) {
        self.indent();
        let _ = writeln!(self.text, "<{name}>{}</{name}>", escape(value));
    }

    /// An element holding text, when there is text.
    pub fn optional_leaf(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            self.leaf(name, value);
        }
    }

    /// Replaces the value of an attribute written earlier (a batch's totals, known at the end).
    pub fn set_placeholder(&mut self, placeholder: &str, value: &str) {
        debug_assert!(self.text.contains(placeholder));
        self.text = self.text.replacen(placeholder, &escape(value), 1);
    }

    pub fn finish(self) -> String {
        debug_assert!(self.open.is_empty(), "every element is closed");
        self.text
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.text.push_str("  ");
        }
    }
}

impl Default for XmlDocument {
    fn default() -> Self {
        Self::new()
    }
}

pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Characters XML 1.0 cannot hold are dropped rather than breaking the document.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_nest_escape_and_number() {
        let mut document = XmlDocument::new();
        document.open("Batch", &[("Total", "TOTAL".into())]);
        assert_eq!(document.open_numbered("Activity"), 1);
        document.leaf("Name", "O'Neil & <Co>");
        document.optional_leaf("Empty", None);
        document.close();
        assert_eq!(document.open_numbered("Activity"), 2);
        document.close();
        document.close();
        document.set_placeholder("TOTAL", "12");
        let text = document.finish();
        assert!(text.contains("<Batch Total=\"12\">"), "{text}");
        assert!(
            text.contains("<Name>O&apos;Neil &amp; &lt;Co&gt;</Name>"),
            "{text}"
        );
        assert!(text.contains("<Activity SeqNum=\"2\">"), "{text}");
        assert!(!text.contains("Empty"));
    }
}
