//! GitBook's template blocks (`{% hint style="info" %} … {% endhint %}`), turned into HTML
//! before markdown parsing.
//!
//! Works line by line on the source text and returns the rewritten text with a map from
//! each output line to its source line, so that links found by the parser are still
//! reported at the line the writer sees. Blocks inside fenced code are left alone. Tags
//! this module does not know are dropped (their inner text stays) with a warning, so no
//! literal `{% … %}` reaches a page.

/// The rewritten source and where each of its lines came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preprocessed {
    pub text: String,
    /// Byte offset in `text` where each output line starts.
    line_starts: Vec<usize>,
    /// `source_lines[i]` is the 1-based source line of output line `i` (0-based).
    pub source_lines: Vec<u32>,
    /// Problems found, as (source line, message).
    pub problems: Vec<(u32, String)>,
}

impl Preprocessed {
    /// The source line of a byte offset in the rewritten text.
    pub fn source_line(&self, offset: usize) -> u32 {
        let output_line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        self.source_lines
            .get(output_line)
            .or(self.source_lines.last())
            .copied()
            .unwrap_or(1)
    }
}

/// Hint styles GitBook offers; anything else renders as `info`.
const HINT_STYLES: [&str; 4] = ["info", "success", "warning", "danger"];

/// Rewrites GitBook block tags. `first_line` is the source line of `text`'s first line
/// (front matter may have been cut off above it).
pub fn preprocess(text: &str, first_line: u32) -> Preprocessed {
    let mut out = Preprocessed {
        text: String::with_capacity(text.len() + 64),
        line_starts: Vec::new(),
        source_lines: Vec::new(),
        problems: Vec::new(),
    };
    if !text.contains("{%") {
        out.text.push_str(text);
        out.line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        out.source_lines = (0..out.line_starts.len() as u32)
            .map(|i| first_line + i)
            .collect();
        return out;
    }
    let mut fence: Option<(char, usize)> = None;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line_no = first_line + index as u32;
        let trimmed = line.trim();
        let indent = &line[..line.len() - line.trim_start().len()];

        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                None => fence = Some(marker),
                Some((ch, len)) if marker.0 == ch && marker.1 >= len && is_closing(trimmed) => {
                    fence = None
                }
                Some(_) => {}
            }
            push_line(&mut out, line, line_no);
            continue;
        }
        if fence.is_some() {
            push_line(&mut out, line, line_no);
            continue;
        }
        match parse_tag(trimmed) {
            Some(tag) => match tag.name.as_str() {
                "hint" => {
                    let style = tag
                        .attribute("style")
                        .filter(|style| HINT_STYLES.contains(&style.as_str()))
                        .unwrap_or_else(|| "info".to_string());
                    push_line(
                        &mut out,
                        &format!("{indent}<div class=\"hint hint-{style}\" role=\"note\">"),
                        line_no,
                    );
                    push_line(&mut out, "", line_no);
                }
                "endhint" => {
                    push_line(&mut out, "", line_no);
                    push_line(&mut out, &format!("{indent}</div>"), line_no);
                    push_line(&mut out, "", line_no);
                }
                other => {
                    if !other.starts_with("end") {
                        out.problems.push((
                            line_no,
                            format!("GitBook block {{% {other} %}} is not supported; only its inner text is shown"),
                        ));
                    }
                    push_line(&mut out, "", line_no);
                }
            },
            None => push_line(&mut out, line, line_no),
        }
    }
    // Every line was written with a newline; the source's last line may have had none.
    if out.text.ends_with('\n') && !text.ends_with('\n') {
        out.text.pop();
    }
    out
}

fn push_line(out: &mut Preprocessed, line: &str, source_line: u32) {
    out.line_starts.push(out.text.len());
    out.text.push_str(line);
    out.text.push('\n');
    out.source_lines.push(source_line);
}

/// A ``` or ~~~ fence opener/closer: its character and length.
fn fence_marker(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = trimmed.chars().take_while(|&c| c == ch).count();
    (len >= 3).then_some((ch, len))
}

fn is_closing(trimmed: &str) -> bool {
    trimmed.chars().all(|c| c == '`' || c == '~')
}

/// A `{% name key="value" … %}` tag occupying a whole line.
#[derive(Debug, PartialEq, Eq)]
struct Tag {
    name: String,
    body: String,
}

impl Tag {
    fn attribute(&self, key: &str) -> Option<String> {
        let needle = format!("{key}=");
        let start = self.body.find(&needle)? + needle.len();
        let rest = &self.body[start..];
        let quote = rest.chars().next()?;
        if quote == '"' || quote == '\'' {
            let end = rest[1..].find(quote)?;
            Some(rest[1..1 + end].to_string())
        } else {
            Some(rest.split_whitespace().next()?.to_string())
        }
    }
}

fn parse_tag(trimmed: &str) -> Option<Tag> {
    let inner = trimmed.strip_prefix("{%")?.strip_suffix("%}")?.trim();
    let (name, body) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some(Tag {
        name: name.to_string(),
        body: body.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_become_callouts_with_markdown_inside() {
        let out = preprocess(
            "a\n{% hint style=\"warning\" %}\n**Careful**\n{% endhint %}\nb",
            1,
        );
        assert!(
            out.text.contains(
                "<div class=\"hint hint-warning\" role=\"note\">\n\n**Careful**\n\n</div>"
            )
        );
        assert!(!out.text.contains("{%"));
    }

    #[test]
    fn output_lines_map_back_to_source_lines() {
        let out = preprocess("a\n{% hint style=\"info\" %}\nx\n{% endhint %}\nlast", 1);
        let offset = out.text.find("last").unwrap();
        assert_eq!(out.source_line(offset), 5);
        let offset = out.text.find('x').unwrap();
        assert_eq!(out.source_line(offset), 3);
    }

    #[test]
    fn tags_inside_code_fences_are_left_alone() {
        let text = "```\n{% hint style=\"info\" %}\n```\n";
        assert_eq!(preprocess(text, 1).text, text);
    }

    #[test]
    fn unknown_tags_are_dropped_with_a_warning() {
        let out = preprocess("{% swagger src=\"x\" %}\nbody\n{% endswagger %}", 1);
        assert!(!out.text.contains("{%"));
        assert!(out.text.contains("body"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].0, 1);
    }

    #[test]
    fn unknown_hint_styles_fall_back_to_info() {
        let out = preprocess("{% hint style=\"shiny\" %}\nx\n{% endhint %}", 1);
        assert!(out.text.contains("hint-info"));
    }

    #[test]
    fn text_without_tags_is_unchanged_and_maps_one_to_one() {
        let out = preprocess("a\nb\n", 3);
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.source_lines, [3, 4, 5]);
    }
}
