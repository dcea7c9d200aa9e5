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
//! misnesting, implied or reconstructed elements gets past it. A first pass keeps no tree
//! (only element names, for the builder's questions) and stops at the first tag it would
//! drop; pages within the limit are then left byte-for-byte as they were. A page that is
//! too deep is parsed again into a tree, re-serialized, and the caller warns, naming the
//! line where flattening began.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use html5ever::serialize::{SerializeOpts, TraversalScope, serialize};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    Attribute, ElementFlags, NodeOrText, QuirksMode, Tracer, TreeBuilder, TreeBuilderOpts,
    TreeSink, create_element,
};
use html5ever::{ExpandedName, LocalName, QualName, TokenizerResult, local_name, ns};
use markup5ever_rcdom::{RcDom, SerializableHandle};

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
    // A first pass builds no tree (most pages are shallow and need nothing more) and stops
    // at the first tag it would drop.
    let (_, first_line, ..) = guarded_parse(html, ShapeOnly, true);
    first_line?;
    let (dom, first_line, dropped, _) = guarded_parse(html, RcDom::default(), false);
    let fragment_root = dom.document.children.borrow().first()?.clone();
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
        first_line: first_line.unwrap_or(1),
        dropped,
    })
}

/// Parses `html` as ammonia does (a fragment in a `<div>`) into `sink`, through a
/// [`DepthGuard`]: the sink, the line of the first dropped tag, how many were dropped, and
/// the deepest the builder was.
/// `probe`: stop at the first drop.
fn guarded_parse<Sink: TreeSink>(
    html: &str,
    sink: Sink,
    probe: bool,
) -> (Sink, Option<u64>, usize, usize)
where
    Sink::Handle: Clone,
{
    let context = create_element(
        &sink,
        QualName::new(None, ns!(html), local_name!("div")),
        Vec::new(),
    );
    let builder = TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
    let initial_state = builder.tokenizer_state_for_context_elem(false);
    let guard = DepthGuard {
        builder,
        probe,
        dropped_open: RefCell::new(HashMap::new()),
        dropped: Cell::new(0),
        first_line: Cell::new(None),
        deepest: Cell::new(0),
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
    (
        guard.builder.sink,
        guard.first_line.get(),
        guard.dropped.get(),
        guard.deepest.get(),
    )
}

/// The deepest the HTML parser gets on `html` (open elements plus formatting elements
/// waiting to be reopened, when a start tag comes), up to [`MAX_HTML_DEPTH`]: for testing
/// bounds computed without parsing.
#[cfg(test)]
pub(crate) fn parser_depth(html: &str) -> usize {
    guarded_parse(html, ShapeOnly, false).3
}

/// Passes tokens to the tree builder, dropping start tags once it is too deep.
struct DepthGuard<Handle, Sink> {
    builder: TreeBuilder<Handle, Sink>,
    /// Only finding out whether anything is dropped: ignore everything after the first.
    probe: bool,
    /// Dropped start tags not yet matched by an end tag, by name: their end tags go too.
    dropped_open: RefCell<HashMap<LocalName, usize>>,
    dropped: Cell<usize>,
    first_line: Cell<Option<u64>>,
    /// The deepest the builder was when a start tag came.
    deepest: Cell<usize>,
}

impl<Handle: Clone, Sink: TreeSink<Handle = Handle>> DepthGuard<Handle, Sink> {
    /// Open elements plus formatting elements waiting to be reopened (which a text node
    /// would reopen all at once): what the builder's scope checks walk.
    fn builder_depth(&self) -> usize {
        let counter = HandleCounter(Cell::new(0), std::marker::PhantomData);
        self.builder.trace_handles(&counter);
        counter.0.get()
    }
}

struct HandleCounter<Handle>(Cell<usize>, std::marker::PhantomData<Handle>);

impl<Handle> Tracer for HandleCounter<Handle> {
    type Handle = Handle;

    fn trace_handle(&self, _node: &Handle) {
        self.0.set(self.0.get() + 1);
    }
}

impl<Handle: Clone, Sink: TreeSink<Handle = Handle>> TokenSink for DepthGuard<Handle, Sink> {
    type Handle = Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Handle> {
        if self.probe && self.dropped.get() > 0 {
            return TokenSinkResult::Continue;
        }
        if let Token::TagToken(tag) = &token {
            let depth = match tag.kind {
                TagKind::StartTag => self.builder_depth(),
                TagKind::EndTag => 0,
            };
            self.deepest.set(self.deepest.get().max(depth));
            match tag.kind {
                TagKind::StartTag if depth >= MAX_HTML_DEPTH => {
                    *self
                        .dropped_open
                        .borrow_mut()
                        .entry(tag.name.clone())
                        .or_insert(0) += 1;
                    if self.first_line.get().is_none() {
                        self.first_line.set(Some(line_number));
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

/// A tree sink that keeps only what the tree builder asks about (element names and the
/// MathML flag), for the probing pass: no text, attributes or children are stored.
struct ShapeOnly;

/// A node as [`ShapeOnly`] keeps it: its name (documents and comments get an empty one).
struct Shape {
    name: QualName,
    annotation_xml_integration_point: bool,
}

type ShapeHandle = Rc<Shape>;

impl ShapeOnly {
    fn node(name: QualName) -> ShapeHandle {
        Rc::new(Shape {
            name,
            annotation_xml_integration_point: false,
        })
    }

    fn unnamed() -> ShapeHandle {
        Self::node(QualName::new(None, ns!(), local_name!("")))
    }
}

impl TreeSink for ShapeOnly {
    type Handle = ShapeHandle;
    type Output = Self;
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _message: Cow<'static, str>) {}

    fn get_document(&self) -> ShapeHandle {
        Self::unnamed()
    }

    fn elem_name<'a>(&'a self, target: &'a ShapeHandle) -> ExpandedName<'a> {
        target.name.expanded()
    }

    fn create_element(
        &self,
        name: QualName,
        _attributes: Vec<Attribute>,
        flags: ElementFlags,
    ) -> ShapeHandle {
        Rc::new(Shape {
            name,
            annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        })
    }

    fn create_comment(&self, _text: StrTendril) -> ShapeHandle {
        Self::unnamed()
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> ShapeHandle {
        Self::unnamed()
    }

    fn append(&self, _parent: &ShapeHandle, _child: NodeOrText<ShapeHandle>) {}

    fn append_based_on_parent_node(
        &self,
        _element: &ShapeHandle,
        _previous: &ShapeHandle,
        _child: NodeOrText<ShapeHandle>,
    ) {
    }

    fn append_doctype_to_document(
        &self,
        _name: StrTendril,
        _public_id: StrTendril,
        _system_id: StrTendril,
    ) {
    }

    fn get_template_contents(&self, _target: &ShapeHandle) -> ShapeHandle {
        Self::unnamed()
    }

    fn same_node(&self, x: &ShapeHandle, y: &ShapeHandle) -> bool {
        Rc::ptr_eq(x, y)
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, _sibling: &ShapeHandle, _new_node: NodeOrText<ShapeHandle>) {}

    fn add_attrs_if_missing(&self, _target: &ShapeHandle, _attributes: Vec<Attribute>) {}

    fn remove_from_parent(&self, _target: &ShapeHandle) {}

    fn reparent_children(&self, _node: &ShapeHandle, _new_parent: &ShapeHandle) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &ShapeHandle) -> bool {
        handle.annotation_xml_integration_point
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
