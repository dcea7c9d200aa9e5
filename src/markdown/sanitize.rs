//! Sanitizing community-managed docs: untrusted input from repositories Mattermost does
//! not maintain.
//!
//! Runs on the rendered HTML of a page (after links were rewritten), with an allow-list:
//! no scripts, styles, iframes, forms or event handlers, and only http(s)/mailto or
//! relative URLs. What Portico itself generates (heading anchors, highlighted code,
//! callouts, task-list checkboxes) is on the list and survives.

use std::sync::OnceLock;

use ammonia::Builder;

fn sanitizer() -> &'static Builder<'static> {
    static SANITIZER: OnceLock<Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = Builder::default();
        builder
            .add_tags(["input"])
            .add_generic_attributes(["class", "id", "title", "role", "aria-hidden", "aria-label"])
            .add_tag_attributes("img", ["width", "height", "align", "loading"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("a", ["name"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect());
        builder
    })
}

/// Returns `html` with everything not on the allow-list removed.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="steal()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src="a.png" onerror="x()"><iframe src="https://evil"></iframe>"#;
        let clean = sanitize(dirty);
        for bad in [
            "onclick",
            "<script",
            "alert",
            "javascript:",
            "onerror",
            "<iframe",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains("<img src=\"a.png\">"));
    }

    #[test]
    fn portico_markup_survives() {
        let ours = r#"<h2 id="setup">Setup</h2><pre class="code"><code class="language-go"><span class="hl-source hl-go">x</span></code></pre><div class="hint hint-info" role="note"><p>n</p></div><ul><li><input disabled="" type="checkbox" checked=""> done</li></ul><details><summary>More</summary>x</details>"#;
        let clean = sanitize(ours);
        for kept in [
            "id=\"setup\"",
            "class=\"hl-source hl-go\"",
            "hint-info",
            "type=\"checkbox\"",
            "<details>",
        ] {
            assert!(clean.contains(kept), "{kept} lost in {clean}");
        }
    }
}
