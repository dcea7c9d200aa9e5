//! Bounded nesting for untrusted HTML, so that sanitizing stays linear.
//!
//! An HTML parser checks "is there a `<p>` in scope?" and the like by walking its stack of
//! open elements, so every start tag costs as much as the page is deep: 100,000 nested
//! `<div>`s (or `>` quotes, `- ` list items, `<b id=…>`s left open) made the sanitizer's
//! html5ever parse quadratic (34 s for one page). This module runs the same html5ever
//! parse (fragment in a `<div>`, as `ammonia` does) with a guard between the tokenizer and
//! the tree builder: once the builder holds [`MAX_HTML_DEPTH`] open or pending-formatting
//! elements, further start tags are dropped (their matching end tags too), so the content
//! stays and only the excess structure goes, the way browsers flatten beyond a depth of
//! 512. The guard measures the builder's own state (not a model of it), so no trick of
//! misnesting, implied or reconstructed elements gets past it. Pages within the limit are
//! left byte-for-byte as they were; a flattened page is re-serialized from the guarded tree
//! and the caller warns, naming the line where flattening began.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use html5ever::serialize::{SerializeOpts, TraversalScope, serialize};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{Tracer, TreeBuilder, TreeBuilderOpts, create_element};
use html5ever::{LocalName, QualName, TokenizerResult, local_name, ns};
use markup5ever_rcdom::{Handle, RcDom, SerializableHandle};

/// How deep an untrusted page's elements may nest; Chromium's parser flattens beyond the
/// same depth, so nothing a reader could see is lost.
pub const MAX_HTML_DEPTH: usize = 512;

/// A page whose HTML nested deeper than [`MAX_HTML_DEPTH`], flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flattened {
    /// The page's HTML with the excess start and end tags removed.
    pub html: String,
    /// The 1-based line of the input HTML where the first tag was dropped.
    pub first_line: u64,
    /// How many start tags were dropped.
    pub dropped: usize,
}

/// `html` flattened to at most [`MAX_HTML_DEPTH`] levels, or `None` when it is within the
/// limit (and is then to be used unchanged). Linear in the size of `html`.
pub fn flatten_deep_html(html: &str) -> Option<Flattened> {
    let dom = RcDom::default();
    let context = create_element(
        &dom,
        QualName::new(None, ns!(html), local_name!("div")),
        Vec::new(),
    );
    let builder = TreeBuilder::new_for_fragment(dom, context, None, TreeBuilderOpts::default());
    let initial_state = builder.tokenizer_state_for_context_elem(false);
    let guard = DepthGuard {
        builder,
        dropped_open: RefCell::new(HashMap::new()),
        dropped: Cell::new(0),
        first_line: Cell::new(0),
    };
    let tokenizer = Tokenizer::new(
        guard,
        TokenizerOpts {
            initial_state: Some(initial_state),
            ..TokenizerOpts::default()
        },
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The tokenizer pauses after each `</script>` (for a browser to run it); go on.
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    let guard = tokenizer.sink;
    if guard.dropped.get() == 0 {
        return None;
    }
    let fragment_root = guard
        .builder
        .sink
        .document
        .children
        .borrow()
        .first()?
        .clone();
    let mut out = Vec::with_capacity(html.len());
    serialize(
        &mut out,
        &SerializableHandle::from(fragment_root),
        SerializeOpts {
            traversal_scope: TraversalScope::ChildrenOnly(None),
            ..SerializeOpts::default()
        },
    )
    .ok()?;
    Some(Flattened {
        html: String::from_utf8_lossy(&out).into_owned(),
        first_line: guard.first_line.get(),
        dropped: guard.dropped.get(),
    })
}

/// Passes tokens to the tree builder, dropping start tags once it is too deep.
struct DepthGuard {
    builder: TreeBuilder<Handle, RcDom>,
    /// Dropped start tags not yet matched by an end tag, by name: their end tags go too.
    dropped_open: RefCell<HashMap<LocalName, usize>>,
    dropped: Cell<usize>,
    first_line: Cell<u64>,
}

impl DepthGuard {
    /// Open elements plus formatting elements waiting to be reopened (which a text node
    /// would reopen all at once): what the builder's scope checks walk.
    fn builder_depth(&self) -> usize {
        let counter = HandleCounter(Cell::new(0));
        self.builder.trace_handles(&counter);
        counter.0.get()
    }
}

struct HandleCounter(Cell<usize>);

impl Tracer for HandleCounter {
    type Handle = Handle;

    fn trace_handle(&self, _node: &Handle) {
        self.0.set(self.0.get() + 1);
    }
}

impl TokenSink for DepthGuard {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        if let Token::TagToken(tag) = &token {
            match tag.kind {
                TagKind::StartTag if self.builder_depth() >= MAX_HTML_DEPTH => {
                    *self
                        .dropped_open
                        .borrow_mut()
                        .entry(tag.name.clone())
                        .or_insert(0) += 1;
                    if self.dropped.get() == 0 {
                        self.first_line.set(line_number);
                    }
                    self.dropped.set(self.dropped.get() + 1);
                    return TokenSinkResult::Continue;
                }
                TagKind::EndTag => {
                    if let Some(open) = self.dropped_open.borrow_mut().get_mut(&tag.name)
                        && *open > 0
                    {
                        *open -= 1;
                        return TokenSinkResult::Continue;
                    }
                }
                TagKind::StartTag => {}
            }
        }
        self.builder.process_token(token, line_number)
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(html: &str) -> usize {
        // Deepest run of start tags in a serialization without void elements.
        let mut depth = 0usize;
        let mut deepest = 0;
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            if rest.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    #[test]
    fn ordinary_pages_are_left_alone() {
        let html =
            "<h1 id=\"a\">A</h1>\n<div class=\"hint\"><p>x <b>y</b></p></div>\n<ul><li>1<li>2</ul>";
        assert_eq!(flatten_deep_html(html), None);
    }

    #[test]
    fn nesting_at_the_limit_is_left_alone() {
        let html = "<div>".repeat(MAX_HTML_DEPTH - 8) + "x" + &"</div>".repeat(MAX_HTML_DEPTH - 8);
        assert_eq!(flatten_deep_html(&html), None);
    }

    #[test]
    fn deep_divs_are_flattened_and_their_text_kept() {
        let html = "<p>before</p>\n".to_string()
            + &"<div>".repeat(5_000)
            + "deep"
            + &"</div>".repeat(5_000)
            + "<p>after</p>";
        let flat = flatten_deep_html(&html).expect("too deep");
        assert_eq!(flat.first_line, 2);
        assert!(flat.dropped >= 5_000 - MAX_HTML_DEPTH);
        assert!(
            depth_of(&flat.html) <= MAX_HTML_DEPTH,
            "{}",
            depth_of(&flat.html)
        );
        assert!(flat.html.contains("deep"));
        assert!(
            flat.html.ends_with("<p>after</p>"),
            "{}",
            &flat.html[flat.html.len() - 40..]
        );
    }

    #[test]
    fn formatting_elements_left_open_cannot_get_past_the_guard() {
        // `</p>` pops the `<b>` but leaves it pending; text would reopen every one of them.
        let html: String = (0..3_000)
            .map(|i| format!("<p><b id=\"{i}\"></p>"))
            .collect::<String>()
            + "text";
        let flat = flatten_deep_html(&html).expect("too deep");
        assert!(depth_of(&flat.html) <= 2 * MAX_HTML_DEPTH + 4);
        assert!(flat.html.contains("text"));
    }

    #[test]
    fn misnested_end_tags_cannot_hide_depth() {
        // `</x>` is ignored while a `<div>` is the current node: the depth only grows.
        let html = "<x><div></x>".repeat(3_000);
        let flat = flatten_deep_html(&html).expect("too deep");
        assert!(depth_of(&flat.html) <= MAX_HTML_DEPTH + 4);
    }
}
