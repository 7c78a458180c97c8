//! `parse_xml`: XML read into dynamic the way Kusto reads it.

use std::collections::HashSet;

use serde_json::{Map, Value as Json};

use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val};

/// `parse_xml(xml)`: XML as dynamic, Kusto's way: `<e>text</e>` is
/// `{"e":"text"}`, attributes are `@name`, text beside attributes or
/// elements is `#text`, repeated elements are an array, `<e/>` is null.
/// Invalid XML, or more than 1 MB of it, is null.
pub(super) fn parse_xml(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let text = a[0].to_text();
        Ok(match xml_to_json(&text) {
            Some(j) => Scalar::Dynamic(j),
            None => Scalar::Null(KqlType::Dynamic),
        })
    })
}

/// An element being read: its attributes, child elements and text.
struct XmlElement {
    name: String,
    attributes: Map<String, Json>,
    children: Map<String, Json>,
    /// Children that occurred more than once (their value is the array).
    repeated: HashSet<String>,
    text: String,
}

impl XmlElement {
    fn new(e: &quick_xml::events::BytesStart<'_>) -> Option<XmlElement> {
        let mut attributes = Map::new();
        for a in e.attributes() {
            let a = a.ok()?;
            let key: &str = a.key.as_ref();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?;
            attributes.insert(format!("@{key}"), Json::String(value.into_owned()));
        }
        Some(XmlElement {
            name: e.name().as_ref().to_string(),
            attributes,
            children: Map::new(),
            repeated: HashSet::new(),
            text: String::new(),
        })
    }

    fn add_child(&mut self, name: String, value: Json) {
        if self.repeated.contains(&name) {
            if let Some(Json::Array(items)) = self.children.get_mut(&name) {
                items.push(value);
            }
            return;
        }
        match self.children.get_mut(&name) {
            Some(first) => {
                let first = first.take();
                self.children
                    .insert(name.clone(), Json::Array(vec![first, value]));
                self.repeated.insert(name);
            }
            None => {
                self.children.insert(name, value);
            }
        }
    }

    fn finish(self) -> (String, Json) {
        let text = self.text.trim().to_string();
        let children = self.children;
        if self.attributes.is_empty() && children.is_empty() {
            let value = if text.is_empty() {
                Json::Null
            } else {
                Json::String(text)
            };
            return (self.name, value);
        }
        let mut out = self.attributes;
        if !text.is_empty() {
            out.insert("#text".into(), Json::String(text));
        }
        out.extend(children);
        (self.name, Json::Object(out))
    }
}

/// The JSON of an XML document, `None` when it is not well-formed XML.
fn xml_to_json(text: &str) -> Option<Json> {
    use quick_xml::events::Event;
    if text.len() > 1 << 20 {
        return None;
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<XmlElement> = Vec::new();
    let mut root: Option<Json> = None;
    let mut close = |element: XmlElement, open: &mut Vec<XmlElement>| -> Option<()> {
        let (name, value) = element.finish();
        match open.last_mut() {
            Some(parent) => parent.add_child(name, value),
            None if root.is_none() => {
                let mut doc = Map::new();
                doc.insert(name, value);
                root = Some(Json::Object(doc));
            }
            // A second root element: not a document.
            None => return None,
        }
        Some(())
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => open.push(XmlElement::new(&e)?),
            Event::Empty(e) => close(XmlElement::new(&e)?, &mut open)?,
            Event::End(_) => {
                let element = open.pop()?;
                close(element, &mut open)?;
            }
            Event::Text(t) => {
                if let Some(e) = open.last_mut() {
                    e.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return None;
                }
            }
            Event::CData(c) => {
                open.last_mut()?.text.push_str(&c);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().ok()? {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => return None,
                    },
                };
                open.last_mut()?.text.push(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !open.is_empty() {
        return None;
    }
    root
}
