//! GitBook's template blocks (`{% hint %}`, `{% tabs %}`, `{% code %}`, `{% embed %}`,
//! `{% content-ref %}`, `{% file %}`, `{% include %}`, `{% swagger %}` …), turned into HTML
//! before markdown parsing.
//!
//! Works line by line and returns the rewritten text with a map from each output line to
//! its source line, so that links found by the parser are reported at the line the writer
//! sees (lines of an included file are reported at the `include`). Tags inside fenced code
//! and inline code are left alone; a tag sharing a line with text is split onto its own
//! line. Blocks are kept balanced: a stray end tag is dropped and an unclosed block closed,
//! each with a warning, so a page can never close the theme's own markup. Blocks that need
//! the rest of the portal (a referenced page's title, a file's size) become
//! `<!--portico:…-->` markers that the renderer completes (markers written by authors are
//! defused). Unknown tags are dropped with a warning (their inner text stays), so no
//! literal `{% … %}` reaches a page.

use super::deployments;
use crate::escape::escape_html;

/// The rewritten source and where each of its lines came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preprocessed {
    pub text: String,
    /// Byte offset in `text` where each output line starts.
    line_starts: Vec<usize>,
    /// `source_lines[i]` is the 1-based source line of output line `i` (0-based).
    pub source_lines: Vec<u32>,
    /// Problems found, as (source line, message).
    pub problems: Vec<(u32, String)>,
    /// Destinations named by blocks (`content-ref`, `file`), as written.
    pub references: Vec<String>,
    /// Every `{% deployment %}` section with a known value, as (source line, deployment).
    pub deployment_sections: Vec<(u32, crate::config::Deployment)>,
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

    fn push_line(&mut self, line: &str, source_line: u32) {
        self.line_starts.push(self.text.len());
        self.text.push_str(line);
        self.text.push('\n');
        self.source_lines.push(source_line);
    }
}

/// Where `{% include %}` finds its files.
pub trait Includes {
    /// The file `target` names, written in the file `from` (both repository paths): its
    /// repository path and text, or why it cannot be included.
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String>;
}

/// Includes nothing: for callers that only need the page's own text.
pub struct NoIncludes;

impl Includes for NoIncludes {
    fn include(&self, _from: &str, target: &str) -> Result<(String, String), String> {
        Err(format!("{target} cannot be included here"))
    }
}

pub struct Options<'a> {
    pub includes: &'a dyn Includes,
    /// Whether `{% embed %}` of a video site may become an iframe (else a link card).
    pub allow_embeds: bool,
    /// Repository path of the page being processed (includes are relative to it).
    pub page: &'a str,
}

/// Hint styles GitBook offers; anything else renders as `info`.
const HINT_STYLES: [&str; 4] = ["info", "success", "warning", "danger"];
/// How deep includes may nest before it is surely a mistake.
const MAX_INCLUDE_DEPTH: usize = 8;
/// How many includes, and how many included bytes, one page may pull in.
const MAX_INCLUDES: usize = 64;
const MAX_INCLUDED_BYTES: usize = 1 << 20;
/// A block body longer than this is not a caption (the end tag is missing).
const MAX_CAPTION_LINES: usize = 8;
/// The prefix of the markers the renderer completes.
pub const MARKER: &str = "<!--portico:";

/// Rewrites GitBook block tags. `first_line` is the source line of `text`'s first line
/// (front matter may have been cut off above it).
pub fn preprocess(text: &str, first_line: u32, options: &Options) -> Preprocessed {
    let mut out = Preprocessed::default();
    if !text.contains("{%") && !text.contains(MARKER) {
        out.text.push_str(text);
        out.line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        out.source_lines = (0..out.line_starts.len() as u32)
            .map(|i| first_line + i)
            .collect();
        return out;
    }
    let mut processor = Processor {
        options,
        out,
        include_stack: vec![options.page.to_string()],
        includes_used: 0,
        included_bytes: 0,
        open: Vec::new(),
        pending: None,
        last_line: first_line,
    };
    processor.lines(text, |index| first_line + index);
    processor.finish();
    let mut out = processor.out;
    // Every line was written with a newline; the source's last line may have had none.
    if out.text.ends_with('\n') && !text.ends_with('\n') {
        out.text.pop();
    }
    out
}

/// A container block that is open: its tag name, where it opened, and its closing HTML.
struct OpenBlock {
    name: &'static str,
    line: u32,
    close: &'static str,
}

/// A block whose body is not markdown: `embed`/`file` (the body is the caption) and
/// `content-ref` (the body repeats the link the card shows).
struct Pending {
    tag: Tag,
    indent: String,
    line: u32,
    body: Vec<String>,
}

struct Processor<'o> {
    options: &'o Options<'o>,
    out: Preprocessed,
    /// Repository paths of the page and of the files being included into it.
    include_stack: Vec<String>,
    includes_used: usize,
    included_bytes: usize,
    open: Vec<OpenBlock>,
    pending: Option<Pending>,
    last_line: u32,
}

impl Processor<'_> {
    /// Processes `text`; `line_of` maps a 0-based line index of `text` to a source line.
    fn lines(&mut self, text: &str, line_of: impl Fn(u32) -> u32) {
        let mut fence: Option<(char, usize)> = None;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let line = line.strip_suffix('\n').unwrap_or(line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            // A marker written by an author is only a comment.
            let defused;
            let line = if line.contains(MARKER) {
                defused = line.replace(MARKER, "<!-- portico:");
                defused.as_str()
            } else {
                line
            };
            let line_no = line_of(index as u32);
            self.last_line = line_no;
            let trimmed = line.trim();
            if let Some(marker) = fence_marker(trimmed) {
                match fence {
                    None => fence = Some(marker),
                    Some((ch, len)) if marker.0 == ch && marker.1 >= len && is_closing(trimmed) => {
                        fence = None
                    }
                    Some(_) => {}
                }
                self.flush_pending();
                self.out.push_line(line, line_no);
                continue;
            }
            if fence.is_some() {
                self.out.push_line(line, line_no);
                continue;
            }
            if !line.contains("{%") {
                self.text_line(line, line_no);
                continue;
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            let segments = split_tags(line.trim_start());
            if segments.iter().all(|s| matches!(s, Segment::Text(_))) {
                self.text_line(line, line_no);
                continue;
            }
            for segment in segments {
                match segment {
                    Segment::Text(text) if text.trim().is_empty() => {}
                    Segment::Text(text) => {
                        self.text_line(&format!("{indent}{}", text.trim()), line_no)
                    }
                    Segment::Tag(tag) => self.tag(tag, indent, line_no),
                }
            }
        }
    }

    /// A line of markdown, or of a pending block's body.
    fn text_line(&mut self, line: &str, line_no: u32) {
        if let Some(pending) = &mut self.pending {
            if pending.body.len() < MAX_CAPTION_LINES {
                pending.body.push(line.trim().to_string());
                return;
            }
            // Too long to be a caption: the end tag is missing.
            self.flush_pending();
        }
        self.out.push_line(line, line_no);
    }

    fn emit(&mut self, indent: &str, lines: &[&str], line_no: u32) {
        for line in lines {
            if line.is_empty() {
                self.out.push_line("", line_no);
            } else {
                self.out.push_line(&format!("{indent}{line}"), line_no);
            }
        }
    }

    fn open(
        &mut self,
        name: &'static str,
        close: &'static str,
        indent: &str,
        html: &str,
        line_no: u32,
    ) {
        self.open.push(OpenBlock {
            name,
            line: line_no,
            close,
        });
        self.emit(indent, &[html, ""], line_no);
    }

    /// Closes the innermost open `name` block (and, with a warning, blocks left open
    /// inside it); a stray end tag is dropped with a warning.
    fn close(&mut self, name: &str, indent: &str, line_no: u32) {
        let Some(position) = self.open.iter().rposition(|block| block.name == name) else {
            self.problem(
                line_no,
                format!("{{% end{name} %}} closes no open {{% {name} %}} block; it is ignored"),
            );
            return;
        };
        while self.open.len() > position {
            let block = self.open.pop().expect("position is inside the stack");
            if block.name != name {
                self.problem(
                    block.line,
                    format!("{{% {} %}} is not closed before {{% end{name} %}} (line {line_no}); it is closed there", block.name),
                );
            }
            self.emit(indent, &["", block.close, ""], line_no);
        }
    }

    fn tag(&mut self, tag: Tag, indent: &str, line_no: u32) {
        // A pending block ends at its own end tag; any other tag ends it too.
        if let Some(pending) = &self.pending {
            if tag.name == format!("end{}", pending.tag.name) {
                self.flush_pending();
                self.out.push_line("", line_no);
                return;
            }
            self.flush_pending();
        }
        match tag.name.as_str() {
            "hint" => self.open("hint", "</div>", indent, &hint_html(&tag), line_no),
            "tabs" => self.open("tabs", "</div>", indent, "<div class=\"tabs\">", line_no),
            "tab" => self.open("tab", "</section>", indent, &tab_html(&tag), line_no),
            "swagger" => self.open("swagger", "</div>", indent, &swagger_html(&tag), line_no),
            "swagger-description" => self.open(
                "swagger-description",
                "</div>",
                indent,
                "<div class=\"api-description\">",
                line_no,
            ),
            "swagger-parameter" => self.open(
                "swagger-parameter",
                "</div>",
                indent,
                &swagger_parameter_html(&tag),
                line_no,
            ),
            "swagger-response" => self.open(
                "swagger-response",
                "</div>",
                indent,
                &swagger_response_html(&tag),
                line_no,
            ),
            "code" => self.open_code(&tag, indent, line_no),
            "deployment" => self.open_deployment(&tag, indent, line_no),
            "endcode" => self.close("code", indent, line_no),
            "embed" | "file" | "content-ref" | "page-ref" => {
                self.start_pending(tag, indent, line_no)
            }
            "include" => self.include(&tag, line_no),
            other => self.other_tag(other, indent, line_no),
        }
    }

    /// `{% code %}`: a marker the renderer turns into the code block's title and options.
    fn open_code(&mut self, tag: &Tag, indent: &str, line_no: u32) {
        let mut marker = String::from("<!--portico:code");
        if let Some(title) = escaped_attribute(tag, "title") {
            marker.push_str(&format!(" title=\"{title}\""));
        }
        if tag.attribute("lineNumbers").is_some_and(|v| v == "true") {
            marker.push_str(" line-numbers");
        }
        if tag.attribute("overflow").is_some_and(|v| v == "wrap") {
            marker.push_str(" wrap");
        }
        marker.push_str("-->");
        self.open.push(OpenBlock {
            name: "code",
            line: line_no,
            close: "<!--portico:endcode-->",
        });
        self.emit(indent, &[&marker, ""], line_no);
    }

    /// `{% deployment "cloud" %}`: a labelled section (see `deployments`). An unknown value
    /// is reported and its content shown unmarked; the block still pairs with its end tag.
    fn open_deployment(&mut self, tag: &Tag, indent: &str, line_no: u32) {
        let written = tag.first_argument().unwrap_or_default();
        let Some(deployment) = deployments::known(&written) else {
            self.problem(
                line_no,
                deployments::unknown_value_message(&written, "{% deployment %}"),
            );
            self.open.push(OpenBlock {
                name: "deployment",
                line: line_no,
                close: "",
            });
            self.out.push_line("", line_no);
            return;
        };
        self.out.deployment_sections.push((line_no, deployment));
        let [wrapper, label] = deployments::section_open_html(deployment);
        self.open.push(OpenBlock {
            name: "deployment",
            line: line_no,
            close: "</div>",
        });
        self.emit(indent, &[&wrapper, &label, ""], line_no);
    }

    /// The end of a known block closes it; an unknown tag is reported (once, at its start)
    /// and only its inner text is kept.
    fn other_tag(&mut self, name: &str, indent: &str, line_no: u32) {
        if let Some(ended) = name.strip_prefix("end")
            && let Some(known) = [
                "hint",
                "tabs",
                "tab",
                "swagger",
                "swagger-description",
                "swagger-parameter",
                "swagger-response",
                "deployment",
            ]
            .into_iter()
            .find(|known| *known == ended)
        {
            self.close(known, indent, line_no);
        } else if name.starts_with("end") {
            // The end of an unknown block, already reported at its start.
            self.out.push_line("", line_no);
        } else {
            self.problem(
                line_no,
                format!(
                    "GitBook block {{% {name} %}} is not supported; only its inner text is shown"
                ),
            );
            self.out.push_line("", line_no);
        }
    }

    fn start_pending(&mut self, tag: Tag, indent: &str, line_no: u32) {
        let key = match tag.name.as_str() {
            "embed" => "url",
            "file" => "src",
            "content-ref" => "url",
            _ => "page",
        };
        if tag.attribute(key).is_none() {
            self.problem(
                line_no,
                format!("{{% {} %}} has no {key}; it is left out", tag.name),
            );
            return;
        }
        self.pending = Some(Pending {
            tag,
            indent: indent.to_string(),
            line: line_no,
            body: Vec::new(),
        });
    }

    /// Emits the pending block with what was read of its body.
    fn flush_pending(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let caption = pending
            .tag
            .attribute("caption")
            .unwrap_or_else(|| pending.body.join(" ").trim().to_string());
        let html = match pending.tag.name.as_str() {
            "embed" => {
                let url = pending.tag.attribute("url").unwrap_or_default();
                embed_html(&url, Some(&caption), self.options.allow_embeds)
            }
            "file" => {
                let src = pending.tag.attribute("src").unwrap_or_default();
                self.out.references.push(src.clone());
                format!(
                    "<!--portico:file src=\"{}\" caption=\"{}\"-->",
                    escape_html(&src),
                    escape_html(&caption)
                )
            }
            _ => {
                // The body of a content-ref repeats the link the card shows: dropped.
                let key = if pending.tag.name == "content-ref" {
                    "url"
                } else {
                    "page"
                };
                let url = pending.tag.attribute(key).unwrap_or_default();
                self.out.references.push(url.clone());
                format!("<!--portico:content-ref url=\"{}\"-->", escape_html(&url))
            }
        };
        self.emit(&pending.indent, &[&html, ""], pending.line);
    }

    /// Closes what the page left open, at its end.
    fn finish(&mut self) {
        self.flush_pending();
        let line = self.last_line;
        while let Some(block) = self.open.pop() {
            self.problem(
                block.line,
                format!(
                    "{{% {} %}} is never closed; add {{% end{} %}}",
                    block.name, block.name
                ),
            );
            self.emit("", &["", block.close, ""], line);
        }
    }

    fn problem(&mut self, line: u32, message: String) {
        self.out.problems.push((line, message));
    }

    fn include(&mut self, tag: &Tag, line_no: u32) {
        let Some(target) = tag.first_argument().or_else(|| tag.attribute("src")) else {
            self.problem(
                line_no,
                "{% include %} names no file; write {% include \"path/to/file.md\" %}".to_string(),
            );
            return;
        };
        if self.include_stack.len() > MAX_INCLUDE_DEPTH {
            self.problem(line_no, format!("includes nest deeper than {MAX_INCLUDE_DEPTH} levels at {target}; it is left out"));
            return;
        }
        if self.includes_used >= MAX_INCLUDES || self.included_bytes >= MAX_INCLUDED_BYTES {
            self.problem(line_no, format!("the page includes too much (over {MAX_INCLUDES} files or 1 MB); {target} is left out"));
            return;
        }
        let from = self.include_stack.last().cloned().unwrap_or_default();
        match self.options.includes.include(&from, &target) {
            Ok((path, text)) => {
                if self.include_stack.contains(&path) {
                    let mut chain = self.include_stack.clone();
                    chain.push(path);
                    self.problem(
                        line_no,
                        format!(
                            "include cycle: {}; the repeated include is left out",
                            chain.join(" → ")
                        ),
                    );
                    return;
                }
                self.includes_used += 1;
                self.included_bytes += text.len();
                self.include_stack.push(path);
                self.out.push_line("", line_no);
                self.lines(&text, |_| line_no);
                self.flush_pending();
                self.out.push_line("", line_no);
                self.include_stack.pop();
            }
            Err(reason) => self.problem(line_no, format!("cannot include {target}: {reason}")),
        }
    }
}

/// A tag's attribute, escaped for HTML.
fn escaped_attribute(tag: &Tag, key: &str) -> Option<String> {
    tag.attribute(key).map(|v| escape_html(&v))
}

/// `{% hint style="…" %}`: a note in one of the known styles (`info` otherwise).
fn hint_html(tag: &Tag) -> String {
    let style = tag
        .attribute("style")
        .filter(|style| HINT_STYLES.contains(&style.as_str()))
        .unwrap_or_else(|| "info".to_string());
    format!("<div class=\"hint hint-{style}\" role=\"note\">")
}

/// `{% tab title="…" %}`: a panel headed by its title.
fn tab_html(tag: &Tag) -> String {
    let title = escaped_attribute(tag, "title").unwrap_or_else(|| "Tab".to_string());
    format!(
        "<section class=\"tab-panel\"><p class=\"tab-title\" role=\"heading\" aria-level=\"4\">{title}</p>"
    )
}

/// `{% swagger method=… path=… %}`: an API endpoint's signature and summary.
fn swagger_html(tag: &Tag) -> String {
    let method = tag
        .attribute("method")
        .unwrap_or_else(|| "get".to_string())
        .to_ascii_lowercase();
    let path = format!(
        "{}{}",
        tag.attribute("baseUrl").unwrap_or_default(),
        tag.attribute("path").unwrap_or_default()
    );
    let mut html = format!(
        "<div class=\"api-endpoint\"><p class=\"api-signature\"><span class=\"api-method api-{}\">{}</span> <code>{}</code></p>",
        escape_html(&method),
        escape_html(&method.to_ascii_uppercase()),
        escape_html(&path)
    );
    if let Some(summary) = escaped_attribute(tag, "summary") {
        html.push_str(&format!("<p class=\"api-summary\">{summary}</p>"));
    }
    html
}

/// `{% swagger-parameter name=… in=… %}`: a parameter with where it goes, its type and
/// whether it is required.
fn swagger_parameter_html(tag: &Tag) -> String {
    let name = escaped_attribute(tag, "name").unwrap_or_default();
    let mut meta = vec![format!(
        "in {}",
        escaped_attribute(tag, "in").unwrap_or_else(|| "query".to_string())
    )];
    if let Some(kind) = escaped_attribute(tag, "type") {
        meta.push(kind);
    }
    if tag.attribute("required").is_some_and(|v| v == "true") {
        meta.push("required".to_string());
    }
    format!(
        "<div class=\"api-parameter\"><p class=\"api-parameter-name\"><code>{name}</code> <span class=\"api-parameter-meta\">{}</span></p>",
        meta.join(" · ")
    )
}

/// `{% swagger-response status=… description=… %}`.
fn swagger_response_html(tag: &Tag) -> String {
    let status = escaped_attribute(tag, "status").unwrap_or_default();
    let description = escaped_attribute(tag, "description").unwrap_or_default();
    format!(
        "<div class=\"api-response\"><p class=\"api-status\"><span class=\"api-status-code\">{status}</span> {description}</p>"
    )
}

/// A link card for an embedded URL, with an iframe for video sites when embeds are allowed.
fn embed_html(url: &str, caption: Option<&str>, allow_embeds: bool) -> String {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or(url)
        .trim_start_matches("www.");
    let title = caption.filter(|c| !c.trim().is_empty()).unwrap_or(url);
    let card = format!(
        "<a class=\"embed-card\" href=\"{}\"><span class=\"embed-host\">{}</span><span class=\"embed-title\">{}</span></a>",
        escape_html(url),
        escape_html(host),
        escape_html(title)
    );
    let frame = allow_embeds
        .then(|| video_embed_url(url))
        .flatten()
        .map(|src| {
            format!(
                "<iframe class=\"embed-frame\" src=\"{}\" title=\"{}\" loading=\"lazy\" allowfullscreen></iframe>",
                escape_html(&src),
                escape_html(title)
            )
        })
        .unwrap_or_default();
    format!("<div class=\"embed\">{frame}{card}</div>")
}

/// Where embedded video players come from: the only frames the pages'
/// Content-Security-Policy allows, when `[site] allow_embeds` is on.
pub(crate) const YOUTUBE_PLAYER: &str = "https://www.youtube-nocookie.com";
pub(crate) const VIMEO_PLAYER: &str = "https://player.vimeo.com";
pub(crate) const VIDEO_PLAYER_ORIGINS: [&str; 2] = [YOUTUBE_PLAYER, VIMEO_PLAYER];

/// The embeddable player address of a YouTube or Vimeo page.
fn video_embed_url(url: &str) -> Option<String> {
    let after_scheme = url.split("://").nth(1)?;
    let after_scheme = after_scheme.strip_prefix("www.").unwrap_or(after_scheme);
    let id_ok = |id: &str| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if let Some(query) = after_scheme.strip_prefix("youtube.com/watch?") {
        let id = query.split('&').find_map(|pair| pair.strip_prefix("v="))?;
        return id_ok(id).then(|| format!("{YOUTUBE_PLAYER}/embed/{id}"));
    }
    if let Some(id) = after_scheme.strip_prefix("youtu.be/") {
        let id = id.split(['?', '#']).next()?;
        return id_ok(id).then(|| format!("{YOUTUBE_PLAYER}/embed/{id}"));
    }
    if let Some(id) = after_scheme.strip_prefix("vimeo.com/") {
        let id = id.split(['?', '#', '/']).next()?;
        return id
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| format!("{VIMEO_PLAYER}/video/{id}"));
    }
    None
}

/// A ``` or ~~~ fence opener/closer: its character and length. (CommonMark: the info
/// string of a backtick fence has no backtick, so ```` ```/jira``` text ```` is not one.)
pub fn fence_marker(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = trimmed.chars().take_while(|&c| c == ch).count();
    if len < 3 || (ch == '`' && trimmed[len..].contains('`')) {
        return None;
    }
    Some((ch, len))
}

fn is_closing(trimmed: &str) -> bool {
    trimmed.chars().all(|c| c == '`' || c == '~')
}

/// A `{% name key="value" … %}` tag (also the body of a marker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    /// `key=value` pairs, in order.
    attributes: Vec<(String, String)>,
    /// Quoted arguments (`{% include "a.md" %}`) and bare words (`line-numbers`).
    arguments: Vec<String>,
}

impl Tag {
    fn new(name: &str, body: &str) -> Tag {
        let mut attributes = Vec::new();
        let mut arguments = Vec::new();
        let mut rest = body.trim();
        while !rest.is_empty() {
            let value_of = |text: &str| -> (String, usize) {
                match text.chars().next() {
                    Some(quote @ ('"' | '\'')) => match text[1..].find(quote) {
                        Some(end) => (text[1..1 + end].to_string(), end + 2),
                        None => (text[1..].to_string(), text.len()),
                    },
                    _ => {
                        let end = text.find(char::is_whitespace).unwrap_or(text.len());
                        (text[..end].to_string(), end)
                    }
                }
            };
            if rest.starts_with(['"', '\'']) {
                let (value, used) = value_of(rest);
                arguments.push(value);
                rest = rest[used..].trim_start();
                continue;
            }
            let key_len = rest
                .find(|c: char| c.is_whitespace() || c == '=')
                .unwrap_or(rest.len());
            let key = &rest[..key_len];
            let after = rest[key_len..].trim_start();
            if let Some(value_text) = after.strip_prefix('=') {
                let value_text = value_text.trim_start();
                let (value, used) = value_of(value_text);
                attributes.push((key.to_string(), value));
                rest = value_text[used..].trim_start();
            } else {
                arguments.push(key.to_string());
                rest = after;
            }
        }
        Tag {
            name: name.to_string(),
            attributes,
            arguments,
        }
    }

    /// The value of `key="value"` (or `key='value'`, or `key=value`).
    pub fn attribute(&self, key: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// The first argument: `{% include "a.md" %}` → `a.md`.
    fn first_argument(&self) -> Option<String> {
        self.arguments.first().cloned()
    }

    /// Whether a bare flag (`line-numbers`) is present in a marker.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.arguments.iter().any(|word| word == flag)
    }
}

/// Part of a line: plain text, or a tag.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Text(String),
    Tag(Tag),
}

/// Splits a line into text and `{% … %}` tags; tags inside inline code stay text.
fn split_tags(line: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    let mut in_code: Option<usize> = None;
    while !rest.is_empty() {
        if rest.starts_with('`') {
            let run = rest.chars().take_while(|&c| c == '`').count();
            in_code = match in_code {
                None => Some(run),
                Some(open) if open == run => None,
                other => other,
            };
            text.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        if in_code.is_none()
            && rest.starts_with("{%")
            && let Some(end) = rest.find("%}")
            && let Some(tag) = parse_tag(&rest[..end + 2])
        {
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut text)));
            }
            segments.push(Segment::Tag(tag));
            rest = &rest[end + 2..];
            continue;
        }
        let next = rest.chars().next().map_or(1, char::len_utf8);
        text.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    if !text.is_empty() {
        segments.push(Segment::Text(text));
    }
    segments
}

fn parse_tag(text: &str) -> Option<Tag> {
    let inner = text.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let (name, body) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some(Tag::new(name, body))
}

/// Reads a `<!--portico:kind key="value" flag-->` marker: (kind, its attributes).
pub fn parse_marker(html: &str) -> Option<(String, Tag)> {
    let inner = html.trim().strip_prefix(MARKER)?.strip_suffix("-->")?;
    let (kind, body) = inner.split_once(' ').unwrap_or((inner, ""));
    Some((kind.to_string(), Tag::new(kind, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(&'static [(&'static str, &'static str)]);

    impl Includes for Files {
        fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
            let path = crate::markdown::links::resolve_in_repo(from, target)
                .ok_or("outside")?
                .path;
            self.0
                .iter()
                .find(|(candidate, _)| *candidate == path)
                .map(|(path, text)| (path.to_string(), text.to_string()))
                .ok_or_else(|| "no such file".to_string())
        }
    }

    fn run(text: &str) -> Preprocessed {
        preprocess(
            text,
            1,
            &Options {
                includes: &NoIncludes,
                allow_embeds: false,
                page: "README.md",
            },
        )
    }

    #[test]
    fn hints_become_callouts_with_markdown_inside() {
        let out = run("a\n{% hint style=\"warning\" %}\n**Careful**\n{% endhint %}\nb");
        assert!(
            out.text.contains(
                "<div class=\"hint hint-warning\" role=\"note\">\n\n**Careful**\n\n</div>"
            )
        );
        assert!(!out.text.contains("{%"));
    }

    #[test]
    fn output_lines_map_back_to_source_lines() {
        let out = run("a\n{% hint style=\"info\" %}\nx\n{% endhint %}\nlast");
        assert_eq!(out.source_line(out.text.find("last").unwrap()), 5);
        assert_eq!(out.source_line(out.text.find('x').unwrap()), 3);
    }

    #[test]
    fn tags_inside_code_are_left_alone() {
        let text = "```\n{% hint style=\"info\" %}\n```\n";
        assert_eq!(run(text).text, text);
        let inline = "Write `{% hint style=\"info\" %}` to open a hint.\n";
        assert_eq!(run(inline).text, inline);
    }

    #[test]
    fn inline_triple_backticks_are_not_a_fence() {
        let out =
            run("```/jira connect``` to connect.\n{% hint style=\"info\" %}\nx\n{% endhint %}\n");
        assert!(!out.text.contains("{%"), "{}", out.text);
    }

    #[test]
    fn tags_sharing_a_line_with_text_are_split_off() {
        let out = run("{% hint style=\"info\" %} Short note. {% endhint %}\n");
        assert!(
            out.text.contains("role=\"note\">\n\nShort note.\n\n</div>"),
            "{}",
            out.text
        );
    }

    #[test]
    fn unknown_tags_are_dropped_with_a_warning() {
        let out = run("{% mystery src=\"x\" %}\nbody\n{% endmystery %}");
        assert!(!out.text.contains("{%"));
        assert!(out.text.contains("body"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].0, 1);
    }

    #[test]
    fn blocks_stay_balanced_whatever_the_page_writes() {
        let stray = run("x\n{% endtabs %}\n{% endhint %}\n");
        assert!(
            !stray.text.contains("</div>"),
            "a stray end tag closes nothing: {}",
            stray.text
        );
        assert_eq!(stray.problems.len(), 2);
        let unclosed = run("{% tabs %}\n{% tab title=\"A\" %}\nx\n");
        assert_eq!(unclosed.text.matches("</section>").count(), 1);
        assert_eq!(unclosed.text.matches("</div>").count(), 1);
        assert_eq!(unclosed.problems.len(), 2);
        let crossed = run("{% tabs %}\n{% tab title=\"A\" %}\nx\n{% endtabs %}\n");
        assert_eq!(crossed.text.matches("</section>").count(), 1);
        assert_eq!(crossed.problems.len(), 1, "{:?}", crossed.problems);
    }

    #[test]
    fn tabs_are_sections_with_titles() {
        let out = run(
            "{% tabs %}\n{% tab title=\"Cloud\" %}\nA\n{% endtab %}\n{% tab title=\"Self-managed\" %}\nB\n{% endtab %}\n{% endtabs %}\n",
        );
        assert!(out.text.contains("<div class=\"tabs\">"));
        assert_eq!(out.text.matches("<section class=\"tab-panel\">").count(), 2);
        assert!(out.text.contains(">Self-managed</p>"));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }

    #[test]
    fn code_options_become_markers_around_the_block() {
        let out = run(
            "{% code title=\"server.go\" lineNumbers=\"true\" overflow=\"wrap\" %}\n```go\nx\n```\n{% endcode %}\n",
        );
        let (kind, tag) = parse_marker(out.text.lines().next().unwrap()).unwrap();
        assert_eq!(kind, "code");
        assert_eq!(tag.attribute("title").as_deref(), Some("server.go"));
        assert!(tag.has_flag("line-numbers") && tag.has_flag("wrap"));
        assert!(out.text.contains("<!--portico:endcode-->"));
    }

    #[test]
    fn embeds_are_link_cards_captioned_by_their_body() {
        let text = "{% embed url=\"https://www.youtube.com/watch?v=abc_123\" %}\nDemo video\n{% endembed %}\n";
        let card = run(text);
        assert!(card.text.contains("<span class=\"embed-host\">youtube.com</span><span class=\"embed-title\">Demo video</span>"), "{}", card.text);
        assert!(!card.text.contains("<iframe"));
        assert_eq!(card.text.matches("Demo video").count(), 1);
        let framed = preprocess(
            text,
            1,
            &Options {
                includes: &NoIncludes,
                allow_embeds: true,
                page: "a.md",
            },
        );
        assert!(
            framed
                .text
                .contains("src=\"https://www.youtube-nocookie.com/embed/abc_123\"")
        );
        let old_form = run(
            "{% embed url=\"https://example.com/x\" caption=\"Old\" %}\nNext paragraph.\n\nMore.\n",
        );
        assert!(
            old_form.text.contains("embed-title\">Old<"),
            "{}",
            old_form.text
        );
    }

    #[test]
    fn content_refs_drop_their_repeated_link_and_files_take_their_caption() {
        let out = run(
            "{% content-ref url=\"setup/README.md\" %}\n[setup](setup/README.md)\n{% endcontent-ref %}\n{% file src=\"../.gitbook/assets/a b.pdf\" %}\nThe sheet\n{% endfile %}\n",
        );
        assert_eq!(
            out.references,
            ["setup/README.md", "../.gitbook/assets/a b.pdf"]
        );
        assert!(
            out.text
                .contains("<!--portico:content-ref url=\"setup/README.md\"-->")
        );
        assert!(!out.text.contains("[setup]"), "{}", out.text);
        assert!(
            out.text.contains(
                "<!--portico:file src=\"../.gitbook/assets/a b.pdf\" caption=\"The sheet\"-->"
            ),
            "{}",
            out.text
        );
    }

    #[test]
    fn markers_written_by_authors_are_defused() {
        let out =
            run("<!--portico:file src=\"https://evil.example/x.exe\" caption=\"Installer\"-->\n");
        assert!(!out.text.contains(MARKER), "{}", out.text);
    }

    #[test]
    fn includes_are_inlined_at_their_line_and_cycles_are_caught() {
        let files = Files(&[
            ("inc/a.md", "From A\n{% include \"b.md\" %}\n"),
            ("inc/b.md", "From B\n{% include \"./a.md\" %}\n"),
        ]);
        let out = preprocess(
            "top\n{% include \"inc/a.md\" %}\nend\n",
            1,
            &Options {
                includes: &files,
                allow_embeds: false,
                page: "README.md",
            },
        );
        assert!(out.text.contains("From A") && out.text.contains("From B"));
        assert_eq!(out.source_line(out.text.find("From B").unwrap()), 2);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0].1.contains("inc/a.md → inc/b.md → inc/a.md"),
            "{:?}",
            out.problems
        );
        let missing = run("{% include \"nope.md\" %}\n");
        assert!(missing.problems[0].1.contains("cannot include nope.md"));
    }

    #[test]
    fn a_page_including_itself_under_other_spellings_stops_at_once() {
        let files = Files(&[(
            "a.md",
            "x\n{% include \"./a.md\" %}\n{% include \"././a.md\" %}\n",
        )]);
        let out = preprocess(
            "{% include \"./a.md\" %}\n",
            1,
            &Options {
                includes: &files,
                allow_embeds: false,
                page: "a.md",
            },
        );
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(out.text.len() < 100);
    }

    #[test]
    fn includes_have_a_budget() {
        const FAN: &str = "{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n{% include \"x.md\" %}\n";
        let page = FAN.repeat(10);
        let files = Files(&[("x.md", "text\n")]);
        let out = preprocess(
            &page,
            1,
            &Options {
                includes: &files,
                allow_embeds: false,
                page: "README.md",
            },
        );
        assert_eq!(out.text.matches("text").count(), MAX_INCLUDES);
        assert!(
            out.problems
                .iter()
                .any(|(_, m)| m.contains("includes too much"))
        );
    }

    #[test]
    fn swagger_blocks_become_a_readable_endpoint() {
        let out = run(
            "{% swagger method=\"post\" path=\"/api/v4/posts\" baseUrl=\"https://mm.example.com\" summary=\"Create a post\" %}\n{% swagger-description %}\nCreates it.\n{% endswagger-description %}\n{% swagger-parameter in=\"body\" name=\"channel_id\" type=\"string\" required=\"true\" %}\nThe channel.\n{% endswagger-parameter %}\n{% swagger-response status=\"201\" description=\"Created\" %}\n```json\n{}\n```\n{% endswagger-response %}\n{% endswagger %}\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(out.text.contains("<span class=\"api-method api-post\">POST</span> <code>https://mm.example.com/api/v4/posts</code>"));
        assert!(out.text.contains("<code>channel_id</code> <span class=\"api-parameter-meta\">in body · string · required</span>"));
        assert!(
            out.text
                .contains("<span class=\"api-status-code\">201</span> Created")
        );
        assert_eq!(
            out.text.matches("<div").count(),
            out.text.matches("</div>").count()
        );
    }

    #[test]
    fn attributes_are_parsed_as_pairs_not_by_searching() {
        let tag = parse_tag("{% embed caption=\"see url=x\" url='https://a.example/' %}").unwrap();
        assert_eq!(tag.attribute("url").as_deref(), Some("https://a.example/"));
        assert_eq!(tag.attribute("caption").as_deref(), Some("see url=x"));
    }

    #[test]
    fn text_without_tags_is_unchanged_and_maps_one_to_one() {
        let out = run("a\nb\n");
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.source_lines, [1, 2, 3]);
    }

    #[test]
    fn deployment_sections_are_labelled_wrappers_that_nest_with_hints() {
        use crate::config::Deployment;
        let out = run(concat!(
            "a\n",
            "{% deployment \"cloud\" %}\n",
            "{% hint style=\"info\" %}\n",
            "**Pre-installed**\n",
            "{% endhint %}\n",
            "{% enddeployment %}\n",
            "{% hint style=\"warning\" %}\n",
            "{% deployment \"self-managed\" %}\n",
            "Upload it.\n",
            "{% enddeployment %}\n",
            "{% endhint %}\n",
        ));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(!out.text.contains("{%"));
        assert!(out.text.contains(concat!(
            "<div class=\"deployment-section\" data-deployment=\"cloud\">\n",
            "<p class=\"deployment-label\">Cloud only</p>\n\n",
            "<div class=\"hint hint-info\" role=\"note\">"
        )));
        assert!(out.text.contains(
            "<div class=\"deployment-section\" data-deployment=\"self-managed\">\n<p class=\"deployment-label\">Self-managed only</p>"
        ));
        assert_eq!(
            out.deployment_sections,
            [(2, Deployment::Cloud), (8, Deployment::SelfManaged)]
        );
        assert_eq!(
            out.text.matches("<div").count(),
            out.text.matches("</div>").count()
        );
    }

    #[test]
    fn deployment_markers_inside_code_are_text() {
        let fenced = run("```\n{% deployment \"cloud\" %}\n{% enddeployment %}\n```\n");
        assert!(fenced.text.contains("{% deployment \"cloud\" %}"));
        assert!(fenced.deployment_sections.is_empty());
        let inline = run("Write `{% deployment \"cloud\" %}` to mark a section.\n");
        assert!(inline.deployment_sections.is_empty());
        assert!(inline.problems.is_empty());
    }

    #[test]
    fn unknown_and_unbalanced_deployment_blocks_are_reported_at_their_line() {
        let unknown = run("x\n{% deployment \"moon\" %}\ny\n{% enddeployment %}\n");
        assert_eq!(unknown.problems.len(), 1);
        assert_eq!(unknown.problems[0].0, 2);
        assert!(unknown.problems[0].1.contains("\"moon\""));
        assert!(!unknown.text.contains("{%") && !unknown.text.contains("data-deployment"));
        let unclosed = run("x\n{% deployment \"cloud\" %}\ny\n");
        assert_eq!(unclosed.problems[0].0, 2);
        assert!(unclosed.problems[0].1.contains("never closed"));
        assert!(unclosed.text.trim_end().ends_with("</div>"));
        let stray = run("x\n\n{% enddeployment %}\n");
        assert_eq!(stray.problems[0].0, 3);
        assert!(!stray.text.contains("{%"));
    }
}
