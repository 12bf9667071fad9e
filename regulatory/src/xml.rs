//! The regulatory XML documents, written through quick-xml's writer: indented elements,
//! escaped text and attributes, FinCEN's `SeqNum` numbering, and root attributes known only
//! once the document is written (a batch's totals).

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// An XML document being written.
pub struct XmlDocument {
    writer: Writer<Vec<u8>>,
    open: Vec<String>,
    /// The root's start tag and where it sits in the text, to add attributes when finishing.
    root: Option<(BytesStart<'static>, Range<usize>)>,
    next_sequence_number: u64,
}

impl XmlDocument {
    pub fn new() -> Self {
        let mut document = XmlDocument {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
            open: Vec::new(),
            root: None,
            next_sequence_number: 1,
        };
        document.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        document
    }

    /// Opens an element with attributes (values escaped).
    pub fn open(&mut self, name: &str, attributes: &[(&str, String)]) {
        let mut start = BytesStart::new(name.to_string());
        for (attribute, value) in attributes {
            start.push_attribute((*attribute, xml_text(value).as_ref()));
        }
        let written_from = self.writer.get_ref().len();
        self.write(Event::Start(start.borrow()));
        if self.root.is_none() {
            // The indenting writer puts a line break before the tag; the tag starts at its '<'.
            let text = self.writer.get_ref();
            let tag_start = written_from
                + text[written_from..]
                    .iter()
                    .position(|byte| *byte == b'<')
                    .unwrap_or(0);
            self.root = Some((start.into_owned(), tag_start..text.len()));
        }
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
        self.write(Event::End(BytesEnd::new(name)));
    }

    /// An element holding text.
    pub fn leaf(&mut self, name: &str, value: &str) {
        let text = xml_text(value);
        self.writer
            .create_element(name)
            .write_text_content(BytesText::new(&text))
            .expect("writing to memory does not fail");
    }

    /// An element holding text, when there is text.
    pub fn optional_leaf(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            self.leaf(name, value);
        }
    }

    pub fn finish(self) -> String {
        self.finish_with_root_attributes(&[])
    }

    /// Finishes the document, adding `attributes` to its root: values such as a batch's totals
    /// are known only once every element below the root is written.
    pub fn finish_with_root_attributes(self, attributes: &[(&str, String)]) -> String {
        debug_assert!(self.open.is_empty(), "every element is closed");
        let mut text = self.writer.into_inner();
        if let Some((mut root, range)) = self.root.filter(|_| !attributes.is_empty()) {
            for (attribute, value) in attributes {
                root.push_attribute((*attribute, xml_text(value).as_ref()));
            }
            let mut tag = Writer::new(Vec::new());
            tag.write_event(Event::Start(root))
                .expect("writing to memory does not fail");
            text.splice(range, tag.into_inner());
        }
        String::from_utf8(text).expect("the document is written from UTF-8 text")
    }

    fn write(&mut self, event: Event<'_>) {
        self.writer
            .write_event(event)
            .expect("writing to memory does not fail");
    }
}

impl Default for XmlDocument {
    fn default() -> Self {
        Self::new()
    }
}

/// `text` without the characters XML 1.0 cannot hold, dropped rather than breaking the document
/// (quick-xml escapes markup characters but passes control characters through).
fn xml_text(text: &str) -> Cow<'_, str> {
    let not_allowed =
        |character: char| (character as u32) < 0x20 && !matches!(character, '\n' | '\t' | '\r');
    if !text.contains(not_allowed) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|character| !not_allowed(*character))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_nest_escape_and_number() {
        let mut document = XmlDocument::new();
        document.open("Batch", &[("Kind", "A&B".into())]);
        assert_eq!(document.open_numbered("Activity"), 1);
        document.leaf("Name", "O'Neil & <Co>\u{1}");
        document.optional_leaf("Empty", None);
        document.leaf("Blank", "");
        document.close();
        assert_eq!(document.open_numbered("Activity"), 2);
        document.close();
        document.close();
        let text = document.finish_with_root_attributes(&[("Total", "12".into())]);
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Batch Kind=\"A&amp;B\" Total=\"12\">\n"),
            "{text}"
        );
        assert!(
            text.contains("\n    <Name>O&apos;Neil &amp; &lt;Co&gt;</Name>\n"),
            "{text}"
        );
        assert!(text.contains("<Blank></Blank>"), "{text}");
        assert!(text.contains("<Activity SeqNum=\"2\">"), "{text}");
        assert!(text.ends_with("</Batch>"), "{text}");
        assert!(!text.contains("Empty"));
    }
}
