//! Escaping text for the formats Portico writes: HTML text and attribute values, URLs put
//! back into attributes, XML (SVG, the sitemap), and JSON that a browser may read as
//! markup, and words of the shell commands Portico prints. Also the small entity decoding
//! that reading attribute values needs.
//!
//! A leaf: it imports nothing else of Portico, so that rendering, composing, templates
//! (Tera's escape function) and serving share one escaping without depending on each other.

/// `text` safe inside HTML text and quoted attribute values: `&`, `<`, `>`, `"` and `'`
/// escaped (`'` as `&#39;`). Also Tera's escape function for every template.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a `String` never fails: the `fmt::Error` in the signature is never returned.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// A URL (already percent-encoded where it was built) made safe inside an attribute value
/// however it is quoted: only `&`, `"` and `'` are escaped, as a rewritten `href` has
/// always been written. Kept by hand: `pulldown_cmark_escape::escape_href` would also
/// re-encode the URL and write `'` as `&#x27;`, changing the bytes of every page.
pub fn escape_url_attribute(url: &str) -> String {
    url.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An attribute value as written in raw HTML, with the entities writers commonly use for
/// quoting decoded (`&quot;`, `&#39;`, `&lt;`, `&gt;`, `&#x20;`, and `&amp;` last so that
/// `&amp;lt;` stays `&lt;`). Other entities are kept as written.
pub fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x20;", " ")
        .replace("&amp;", "&")
}

/// Appends `text` escaped for XML, non-ASCII as character references so that the output
/// reads the same in any ASCII-compatible encoding a server may label it with. Control
/// characters XML does not allow are dropped. In an attribute, `"` and the newlines and
/// tabs an XML parser would normalize to spaces are escaped too. (Kept by hand: no crate
/// in the build writes character references for non-ASCII text.)
pub fn push_xml_escaped(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' | '\t' if attribute => out.push_str(&format!("&#{};", c as u32)),
            '\n' | '\t' => out.push(c),
            c if c.is_ascii_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("&#x{:X};", c as u32)),
        }
    }
}

/// Serialized `json` with `<`, `>` and `&` written as `\u003c`, `\u003e` and `\u0026`
/// (and the line separators JavaScript once rejected as `\u2028`, `\u2029`): the same value
/// to every JSON reader, but text from a repository (a plugin named `<script>…`, a file
/// name) never reads as markup, whether the JSON is inlined in a page, sniffed by a
/// browser, or shown by a tool that does not escape it. These characters occur only
/// inside JSON strings, so replacing them in the serialized text is exact.
pub fn json_for_the_web(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as one word for a POSIX shell: as it is when that is safe, else single-quoted.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@=,".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_text_and_both_attribute_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain café"), "plain café");
    }

    #[test]
    fn url_attributes_escape_only_ampersands_and_quotes() {
        assert_eq!(
            escape_url_attribute("a.html?x=1&y=\"2\"#it's<b>"),
            "a.html?x=1&amp;y=&quot;2&quot;#it&#39;s<b>"
        );
    }

    #[test]
    fn common_entities_are_decoded_once() {
        assert_eq!(
            decode_entities("a&quot;b&#39;&lt;c&gt;&#x20;&amp;lt;&copy;"),
            "a\"b'<c> &lt;&copy;"
        );
        assert_eq!(decode_entities("plain"), "plain");
    }

    #[test]
    fn xml_output_is_ascii_and_escapes_what_xml_needs() {
        let mut out = String::new();
        push_xml_escaped(&mut out, "a<b>&\"c\"\n\u{1}é", true);
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&quot;&#10;&#xE9;");
        let mut text = String::new();
        push_xml_escaped(&mut text, "\"a\"\n\tb", false);
        assert_eq!(text, "\"a\"\n\tb");
    }

    #[test]
    fn json_for_the_web_holds_no_markup_and_reads_back_the_same() {
        let value = serde_json::json!({
            "name": "<script>alert(1)</script> & <!--<script>",
            "path": "a\u{2028}b",
        });
        let json = json_for_the_web(serde_json::to_string(&value).unwrap());
        for markup in ['<', '>', '&', '\u{2028}'] {
            assert!(!json.contains(markup), "{json}");
        }
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            value
        );
        assert_eq!(json_for_the_web("{\"a\":1}".to_string()), "{\"a\":1}");
    }
}
