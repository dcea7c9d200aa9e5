//! SVG from untrusted repositories, made passive.
//!
//! An SVG opened from the portal's own domain is a document like an HTML page: it can run
//! script, load other documents and embed HTML. [`sanitize_svg`] decodes the file (UTF-8,
//! UTF-16 with or without a byte-order mark, the encoding its XML declaration names),
//! parses it with a real XML parser (`quick-xml`, one pass, no recursion, so time is linear
//! in the input and deep nesting costs nothing but a counter) and writes it again as ASCII
//! XML, keeping only what cannot act: no script, event handler, embedded document,
//! animation, processing instruction, entity declaration, or reference to anything but a
//! part of the same image. The decision is made on the parsed names, in any namespace
//! (`<x:script>` is a script whatever `x` means), and the browser only ever sees what was
//! written here, so what it parses is what was checked. Files that are not well-formed
//! XML, declare entities, or use an encoding Portico cannot decode are refused.
//! Pure: bytes in, bytes out; never touches files.

use std::collections::{BTreeSet, HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::escape::push_xml_escaped;

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
const XHTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";
const MATHML_NAMESPACE: &str = "http://www.w3.org/1998/Math/MathML";
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// An SVG rewritten without anything active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanSvg {
    /// The image as ASCII XML (non-ASCII text written as character references).
    pub bytes: Vec<u8>,
    /// What was taken out, in words, sorted (`"scripts"`, `"event handlers"`); empty when
    /// the image had nothing active.
    pub removed: Vec<&'static str>,
}

/// Elements dropped with everything inside them, whatever their namespace, and how the
/// warning names what was dropped.
const DROPPED_ELEMENTS: &[(&str, &str)] = &[
    ("script", "scripts"),
    ("handler", "event handlers"),
    ("listener", "event handlers"),
    ("foreignobject", "embedded HTML (foreignObject)"),
    ("iframe", "embedded documents"),
    ("frame", "embedded documents"),
    ("frameset", "embedded documents"),
    ("embed", "embedded documents"),
    ("object", "embedded documents"),
    ("applet", "embedded documents"),
    ("portal", "embedded documents"),
    // Animations can set any attribute, `href` included, at run time.
    ("set", "animations"),
    ("animate", "animations"),
    ("animatemotion", "animations"),
    ("animatetransform", "animations"),
    ("animatecolor", "animations"),
    ("discard", "animations"),
    ("meta", "HTML elements"),
    ("link", "HTML elements"),
    ("base", "HTML elements"),
    ("form", "HTML elements"),
];

/// Attributes that load or navigate to a URL on some element of some namespace; only
/// `href` has a safe use in SVG (a `#fragment` of the same image).
const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "codebase",
    "classid",
    "archive",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "base",
];

/// Returns the SVG in `bytes` with everything active removed, or why it cannot be
/// published (not decodable, not well-formed, not an SVG, declares entities).
pub fn sanitize_svg(bytes: &[u8]) -> Result<CleanSvg, String> {
    rewrite(bytes).map_err(|problem| {
        if problem.contains("; ") {
            problem
        } else {
            format!("{problem}; fix it (an SVG editor's export is well-formed) or use a PNG")
        }
    })
}

/// [`sanitize_svg`], whose errors say what is wrong and, where it is specific, what to do.
fn rewrite(bytes: &[u8]) -> Result<CleanSvg, String> {
    let text = decode_xml(bytes)?;
    // XML end-of-line handling, done once so that every later step sees `\n` only.
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    let mut writer = SvgWriter::default();
    let mut reader = Reader::from_str(&text);
    loop {
        let event = reader.read_event().map_err(|err| {
            format!(
                "is not well-formed XML (line {}: {err})",
                line_at(&text, reader.error_position())
            )
        })?;
        let at = || line_at(&text, reader.buffer_position());
        match event {
            Event::Eof => break,
            Event::Start(start) => writer
                .open(&start, false)
                .map_err(|err| with_line(&err, at()))?,
            Event::Empty(start) => writer
                .open(&start, true)
                .map_err(|err| with_line(&err, at()))?,
            Event::End(_) => writer.close(),
            Event::Text(text) => {
                let text = text
                    .decode()
                    .map_err(|err| format!("is not well-formed XML (line {}: {err})", at()))?;
                writer.text(&text);
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|err| format!("is not well-formed XML (line {}: {err})", at()))?;
                writer.text(&text);
            }
            Event::GeneralRef(reference) => {
                let character = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character,
                    Ok(None) => {
                        let name = reference.decode().unwrap_or_default();
                        predefined_entity(&name).ok_or_else(|| {
                            format!(
                                "uses the undefined entity &{name}; (line {}); write the character itself",
                                at()
                            )
                        })?
                    }
                    Err(err) => {
                        return Err(format!("is not well-formed XML (line {}: {err})", at()));
                    }
                };
                writer.text(character.encode_utf8(&mut [0; 4]));
            }
            Event::DocType(doctype) => {
                // A DOCTYPE naming an external DTD is inert (browsers do not fetch it); an
                // internal subset can declare entities, which can expand without bound.
                if doctype.contains(&b'[') {
                    return Err(format!(
                        "declares entities in its DOCTYPE (line {}), which can expand without bound; remove the DOCTYPE",
                        at()
                    ));
                }
            }
            Event::PI(_) => {
                writer
                    .removed
                    .insert("processing instructions (xml-stylesheet)");
            }
            // The declaration is replaced (the output is ASCII); comments are dropped.
            Event::Decl(_) | Event::Comment(_) => {}
        }
    }
    writer.finish()
}

/// A problem with the line it is on, before what to do about it.
fn with_line(problem: &str, line: usize) -> String {
    match problem.split_once("; ") {
        Some((what, remedy)) => format!("{what} (line {line}); {remedy}"),
        None => format!("{problem} (line {line})"),
    }
}

/// The 1-based line of byte `position` in `text`.
fn line_at(text: &str, position: u64) -> usize {
    let end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// What an element is dropped as (with everything inside it), if it is: by its local name
/// in any namespace, or for being HTML or MathML.
fn dropped_element(local: &str, namespace: &str) -> Option<&'static str> {
    DROPPED_ELEMENTS
        .iter()
        .find(|(element, _)| *element == local)
        .map(|(_, what)| *what)
        .or(match namespace {
            XHTML_NAMESPACE => Some("HTML elements"),
            MATHML_NAMESPACE => Some("MathML elements"),
            _ => None,
        })
}

/// The writer's state while the events stream through it.
#[derive(Default)]
struct SvgWriter {
    out: String,
    removed: BTreeSet<&'static str>,
    /// Depth of the elements written and still open.
    depth: usize,
    /// Inside a dropped element: how many of its elements are open.
    skipping: usize,
    root_seen: bool,
    root_closed: bool,
    /// Namespace bindings in scope: prefix (`""` for the default) → URIs, innermost last.
    namespaces: HashMap<String, Vec<String>>,
    /// Prefixes bound by each open element, with the depth that bound them.
    bound: Vec<(usize, String)>,
    /// An open `<style>` element: its start tag and its text so far, written or dropped
    /// once its end shows whether the style sheet is passive.
    style: Option<(String, String)>,
    /// Names of the open elements written, innermost last, for their end tags.
    open_names: Vec<String>,
}

impl SvgWriter {
    fn open(&mut self, start: &BytesStart, empty: bool) -> Result<(), String> {
        if self.skipping > 0 || self.style.is_some() {
            self.skip_nested(empty);
            return Ok(());
        }
        if self.root_closed {
            return Err("is not well-formed XML: an element follows the root element".into());
        }
        let name = std::str::from_utf8(start.name().as_ref())
            .map_err(|_| "is not well-formed XML: an element name is not UTF-8".to_string())?
            .to_string();
        check_name(&name)?;
        let (prefix, local) = split_name(&name);
        let local = local.to_ascii_lowercase();

        // Namespace declarations first: they apply to the element that makes them.
        let depth = self.depth + 1;
        let attributes = self.read_attributes(start, &name, depth)?;
        let namespace = self.element_namespace(prefix, &name, &attributes)?;
        self.check_root(&name, &local, &namespace, depth)?;

        if let Some(what) = dropped_element(&local, &namespace) {
            self.removed.insert(what);
            self.unbind(depth);
            if !empty {
                self.skipping = 1;
            }
            return Ok(());
        }
        let tag = self.start_tag(&name, &attributes, &local, &namespace);
        self.write_start(name, tag, &local, empty, depth);
        Ok(())
    }

    /// An element inside a dropped element, or inside `<style>` (whose text alone is the
    /// style sheet): dropped.
    fn skip_nested(&mut self, empty: bool) {
        if self.style.is_some() && self.skipping == 0 {
            self.removed.insert("elements inside a style sheet");
        }
        if !empty {
            self.skipping += 1;
        }
    }

    /// The attributes of the element `name`, unescaped and checked, binding the namespaces
    /// they declare at `depth`.
    fn read_attributes(
        &mut self,
        start: &BytesStart,
        name: &str,
        depth: usize,
    ) -> Result<Vec<(String, String)>, String> {
        let mut attributes = Vec::new();
        let mut seen = HashSet::new();
        let mut iter = start.attributes();
        // Duplicates are found here in linear time; quick-xml's own check is quadratic in
        // the number of attributes.
        iter.with_checks(false);
        for attribute in iter {
            let attribute = attribute.map_err(|err| format!("is not well-formed XML: {err}"))?;
            let key = std::str::from_utf8(attribute.key.as_ref())
                .map_err(|_| "is not well-formed XML: an attribute name is not UTF-8".to_string())?
                .to_string();
            check_name(&key)?;
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "is not well-formed XML: attribute {key} appears twice on <{name}>"
                ));
            }
            let value = attribute
                .unescape_value()
                .map_err(|err| format!("is not well-formed XML: attribute {key}: {err}"))?
                .into_owned();
            if key == "xmlns" || key.starts_with("xmlns:") {
                let prefix = key.strip_prefix("xmlns:").unwrap_or("");
                // The value was read after unescaping; one written with references could
                // be read differently by a parser that does not unescape it: refused.
                if attribute.value.contains(&b'&') {
                    return Err(format!(
                        "declares namespace {key} with a character reference; write the URI as plain text"
                    ));
                }
                self.namespaces
                    .entry(prefix.to_string())
                    .or_default()
                    .push(value.clone());
                self.bound.push((depth, prefix.to_string()));
            }
            attributes.push((key, value));
        }
        Ok(attributes)
    }

    /// The namespace of the element `name`; every prefix it and its attributes use must be
    /// declared.
    fn element_namespace(
        &self,
        prefix: Option<&str>,
        name: &str,
        attributes: &[(String, String)],
    ) -> Result<String, String> {
        let namespace = self.resolve(prefix).ok_or_else(|| {
            format!("is not well-formed XML: the prefix of <{name}> is not declared")
        })?;
        for (key, _) in attributes {
            if let (Some(prefix), _) = split_name(key)
                && prefix != "xmlns"
                && self.resolve(Some(prefix)).is_none()
            {
                return Err(format!(
                    "is not well-formed XML: the prefix of attribute {key} on <{name}> is not declared"
                ));
            }
        }
        Ok(namespace)
    }

    /// The first element must be `<svg>` in the SVG namespace.
    fn check_root(
        &mut self,
        name: &str,
        local: &str,
        namespace: &str,
        depth: usize,
    ) -> Result<(), String> {
        if self.root_seen {
            return Ok(());
        }
        if local != "svg" || namespace != SVG_NAMESPACE {
            self.unbind(depth);
            return Err(format!(
                "is not an SVG image: its root element is <{name}> in namespace {namespace:?}, not <svg> in {SVG_NAMESPACE}"
            ));
        }
        self.root_seen = true;
        Ok(())
    }

    /// The start tag as written, without its attributes that could act (each noted in
    /// `removed`), and without its closing `>`.
    fn start_tag(
        &mut self,
        name: &str,
        attributes: &[(String, String)],
        local: &str,
        namespace: &str,
    ) -> String {
        let mut tag = String::with_capacity(name.len() + 16 * attributes.len());
        tag.push('<');
        tag.push_str(name);
        for (key, value) in attributes {
            if let Some(problem) = self.attribute_problem(key, value, local, namespace) {
                self.removed.insert(problem);
                continue;
            }
            tag.push(' ');
            tag.push_str(key);
            tag.push_str("=\"");
            push_xml_escaped(&mut tag, value, true);
            tag.push('"');
        }
        tag
    }

    /// Writes a start tag (a `<style>` one is held until its style sheet is checked) and
    /// opens the element, or closes it at once when it is empty.
    fn write_start(
        &mut self,
        name: String,
        mut tag: String,
        local: &str,
        empty: bool,
        depth: usize,
    ) {
        if local == "style" && !empty {
            tag.push('>');
            self.depth = depth;
            self.open_names.push(name);
            self.style = Some((tag, String::new()));
            return;
        }
        if empty {
            tag.push_str("/>");
            self.out.push_str(&tag);
            self.unbind(depth);
            if depth == 1 {
                self.root_closed = true;
            }
        } else {
            tag.push('>');
            self.out.push_str(&tag);
            self.depth = depth;
            self.open_names.push(name);
        }
    }

    fn close(&mut self) {
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        let Some(depth) = self.depth.checked_sub(1) else {
            return;
        };
        // The end tag names the element its start tag named (quick-xml checks it).
        let name = self.open_names.pop().unwrap_or_default();
        let end_tag = |out: &mut String| {
            out.push_str("</");
            out.push_str(&name);
            out.push('>');
        };
        if let Some((tag, css)) = self.style.take() {
            if css_is_passive(&css) {
                self.out.push_str(&tag);
                push_xml_escaped(&mut self.out, &css, false);
                end_tag(&mut self.out);
            } else {
                self.removed
                    .insert("styles that load other files or run code");
            }
        } else {
            end_tag(&mut self.out);
        }
        self.unbind(self.depth);
        self.depth = depth;
        if depth == 0 {
            self.root_closed = true;
        }
    }

    fn text(&mut self, text: &str) {
        if self.skipping > 0 {
            return;
        }
        if let Some((_, css)) = &mut self.style {
            css.push_str(text);
        } else if self.depth > 0 {
            push_xml_escaped(&mut self.out, text, false);
        }
    }

    fn finish(self) -> Result<CleanSvg, String> {
        if !self.root_seen {
            return Err("is not an SVG image: it has no <svg> element".into());
        }
        if !self.root_closed {
            return Err("is not well-formed XML: it ends before its elements are closed".into());
        }
        Ok(CleanSvg {
            bytes: self.out.into_bytes(),
            removed: self.removed.into_iter().collect(),
        })
    }

    /// The namespace a prefix (`None`: the default namespace) means here. Unprefixed
    /// elements without a default namespace are in no namespace (`""`).
    fn resolve(&self, prefix: Option<&str>) -> Option<String> {
        match prefix {
            Some("xml") => Some(XML_NAMESPACE.to_string()),
            Some(prefix) => self
                .namespaces
                .get(prefix)
                .and_then(|uris| uris.last())
                .filter(|uri| !uri.is_empty())
                .cloned(),
            None => Some(
                self.namespaces
                    .get("")
                    .and_then(|uris| uris.last())
                    .cloned()
                    .unwrap_or_default(),
            ),
        }
    }

    /// Ends the namespace bindings made by the element at `depth`.
    fn unbind(&mut self, depth: usize) {
        while let Some((bound_at, prefix)) = self.bound.last() {
            if *bound_at != depth {
                break;
            }
            if let Some(uris) = self.namespaces.get_mut(prefix) {
                uris.pop();
            }
            self.bound.pop();
        }
    }

    /// Why attribute `key="value"` of element `local` cannot stay, if it cannot.
    fn attribute_problem(
        &self,
        key: &str,
        value: &str,
        element: &str,
        element_namespace: &str,
    ) -> Option<&'static str> {
        if key == "xmlns" || key.starts_with("xmlns:") {
            return None;
        }
        let (prefix, local) = split_name(key);
        let local = local.to_ascii_lowercase();
        if local.starts_with("on") {
            return Some("event handlers");
        }
        if prefix == Some("xml") && local == "base" {
            return Some("links to other files or sites");
        }
        if local == "href" {
            let target = value.trim_matches(|c: char| c.is_ascii_whitespace() || c <= ' ');
            let embedded_image = element == "image"
                && element_namespace == SVG_NAMESPACE
                && is_embedded_raster_image(target);
            return (!target.starts_with('#') && !embedded_image)
                .then_some("links to other files or sites");
        }
        if URL_ATTRIBUTES.contains(&local.as_str()) {
            return Some("links to other files or sites");
        }
        let squeezed: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        if squeezed.contains("javascript:") || squeezed.contains("vbscript:") {
            return Some("javascript: URLs");
        }
        if (local == "style" || squeezed.contains("url(")) && !css_is_passive(value) {
            return Some("styles that load other files or run code");
        }
        None
    }
}

/// `data:image/png;base64,…` and the like on `<image>`: a picture carried inside the SVG,
/// decoded as an image (never as a document), which design tools write often.
fn is_embedded_raster_image(target: &str) -> bool {
    let lower = target
        .get(..32)
        .unwrap_or(target)
        .to_ascii_lowercase()
        .replace(char::is_whitespace, "");
    ["png", "jpeg", "jpg", "gif", "webp"]
        .iter()
        .any(|kind| lower.starts_with(&format!("data:image/{kind};base64,")))
}

/// Whether CSS (a `<style>` sheet or a `style` attribute) stays inside the image: no
/// `@import`, no `url()` other than `url(#fragment)`, no escapes (which could spell
/// either), nothing that runs code in old browsers.
fn css_is_passive(css: &str) -> bool {
    let lower = css.to_ascii_lowercase();
    if lower.contains('\\') {
        return false;
    }
    for active in [
        "@import",
        "expression",
        "javascript:",
        "vbscript:",
        "-moz-binding",
        "behavior",
        "image-set",
        "image(",
        "src(",
        "cross-fade",
    ] {
        if lower.contains(active) {
            return false;
        }
    }
    lower.match_indices("url(").all(|(at, _)| {
        lower[at + 4..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .starts_with('#')
    })
}

/// Refuses names a browser would read differently from quick-xml: only ASCII name
/// characters and at most one colon, inside the name.
fn check_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.matches(':').count() <= 1
        && !name.ends_with(':');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "uses the name {:?}, which Portico does not accept in SVG (ASCII letters, digits, '-', '_', '.' and one ':')",
            name.chars().take(40).collect::<String>()
        ))
    }
}

/// `x:script` → (`Some("x")`, `"script"`); `svg` → (`None`, `"svg"`).
fn split_name(name: &str) -> (Option<&str>, &str) {
    match name.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, name),
    }
}

/// The text of an XML file: the byte-order mark, else the UTF-16 shape of `<`, else the
/// encoding its declaration names (UTF-8 when it names none), as XML parsers decide.
fn decode_xml(bytes: &[u8]) -> Result<String, String> {
    const UNSUPPORTED: &str = "save it as UTF-8";
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Err(format!(
            "is encoded in UTF-32, which browsers do not read; {UNSUPPORTED}"
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    match bytes {
        [b'<', 0, ..] => return decode_utf16(bytes, u16::from_le_bytes),
        [0, b'<', ..] => return decode_utf16(bytes, u16::from_be_bytes),
        _ => {}
    }
    let declared = declared_encoding(bytes).unwrap_or_default();
    match declared.as_str() {
        "" | "utf-8" | "utf8" => decode_utf8(bytes),
        "us-ascii" | "ascii" if bytes.is_ascii() => decode_utf8(bytes),
        // Browsers read every one of these labels as windows-1252.
        "us-ascii" | "ascii" | "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "l1"
        | "windows-1252" | "cp1252" | "x-cp1252" | "cp819" | "ibm819" => {
            Ok(bytes.iter().map(|&b| windows_1252(b)).collect())
        }
        "utf-16" | "utf-16le" | "utf-16be" => Err(format!(
            "declares encoding {declared:?} but is not stored in UTF-16; {UNSUPPORTED}"
        )),
        other => Err(format!(
            "is in encoding {other:?}, which Portico does not decode; {UNSUPPORTED}"
        )),
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|err| {
        format!(
            "is not valid UTF-8 (byte {}); save it as UTF-8",
            err.utf8_error().valid_up_to()
        )
    })
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("is not valid UTF-16 (an odd number of bytes); save it as UTF-8".into());
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| "is not valid UTF-16; save it as UTF-8".to_string())
}

/// The `encoding` of an `<?xml …?>` declaration at the start of an ASCII-compatible file,
/// lowercased.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(1024))?;
    let head = std::str::from_utf8(head)
        .or_else(|err| std::str::from_utf8(&head[..err.valid_up_to()]))
        .ok()?;
    let declaration = head.strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].trim().to_ascii_lowercase())
}

/// One windows-1252 byte as a character (the WHATWG table).
fn windows_1252(byte: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(byte - 0x80)]))
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_sheets_may_point_only_inside_the_image() {
        assert!(css_is_passive(".a { fill: url(#g); stroke: url( '#h' ) }"));
        assert!(css_is_passive("rect { fill: red }"));
        for active in [
            "@import 'x.css';",
            "a { fill: url(x.svg#g) }",
            "a { background: URL(https://evil.example/) }",
            "a { fill: u\\72 l(x) }",
            "a { width: expression(alert(1)) }",
            "a { -moz-binding: url(#x) }",
            "a { background: image-set('x.png' 1x) }",
            "a { background: image('x.png') }",
        ] {
            assert!(!css_is_passive(active), "{active} passed");
        }
    }

    #[test]
    fn the_encoding_comes_from_the_mark_the_shape_or_the_declaration() {
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding = 'ISO-8859-1' ?><svg/>"),
            Some("iso-8859-1".to_string())
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><svg/>"), None);
        assert_eq!(declared_encoding(b"<svg/>"), None);
        assert_eq!(decode_xml(b"\xEF\xBB\xBF<svg/>").as_deref(), Ok("<svg/>"));
        assert_eq!(decode_xml(b"<\0s\0/\0>\0").as_deref(), Ok("<s/>"));
        assert_eq!(decode_xml(b"\0<\0s\0/\0>").as_deref(), Ok("<s/>"));
        assert!(decode_xml(b"<\0s\0/\0>").is_err(), "odd length");
        assert_eq!(windows_1252(0x80), '€');
        assert_eq!(windows_1252(0xE9), 'é');
    }

    #[test]
    fn names_a_browser_could_read_differently_are_refused() {
        assert!(check_name("svg").is_ok());
        assert!(check_name("xlink:href").is_ok());
        assert!(check_name("stroke-width").is_ok());
        for odd in ["", "svg/onload=x", "a:b:c", ":a", "a:", "1a", "é"] {
            assert!(check_name(odd).is_err(), "{odd:?} accepted");
        }
    }
}
