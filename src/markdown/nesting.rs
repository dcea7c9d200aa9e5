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
use markup5ever_rcdom::{Handle, Node, NodeData, RcDom, SerializableHandle};

/// How deep an untrusted page's elements may nest; Chromium's parser flattens beyond the
/// same depth, so nothing a reader could see is lost.
pub(crate) const MAX_HTML_DEPTH: usize = 512;

/// How many nodes a page may have moved out of a table before it is rewritten. Content
/// misplaced in a `<table>` ("foster-parented") is inserted in front of the table, and
/// the DOM ammonia parses into finds the table among its siblings by walking them, so
/// `<table>` followed by 100,000 paragraphs was quadratic too (0.5 → 1.8 s for 50,000 →
/// 100,000); a serialized tree holds nothing to move.
pub(crate) const MAX_FOSTERED: usize = 512;

/// A page whose HTML nested deeper than [`MAX_HTML_DEPTH`] (or moved more than
/// [`MAX_FOSTERED`] nodes out of tables), flattened and re-serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flattened {
    /// The page's HTML with the excess start and end tags removed.
    pub html: String,
    /// The 1-based line of the input HTML where the first tag was dropped.
    pub first_line: u64,
    /// How many start tags were dropped.
    pub dropped: usize,
}

/// `html` flattened to at most [`MAX_HTML_DEPTH`] levels, or `None` when it is within the
/// limit and moves at most [`MAX_FOSTERED`] nodes out of tables (and is then to be used
/// unchanged). Linear in the size of `html`. `dropped` is 0 when only the moves were many.
pub(crate) fn flatten_deep_html(html: &str) -> Option<Flattened> {
    // A first pass builds no tree (most pages are shallow and need nothing more) and stops
    // at the first tag it would drop.
    let (shape, first_line, ..) = guarded_parse(html, ShapeOnly::default(), true);
    if first_line.is_none() && shape.fostered.get() <= MAX_FOSTERED {
        return None;
    }
    let (dom, first_line, dropped, _) = guarded_parse(html, FosterFriendlyDom::default(), false);
    let fragment_root = dom.dom.document.children.borrow().first()?.clone();
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
    guarded_parse(html, ShapeOnly::default(), false).3
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
/// MathML flag), for the probing pass: no text, attributes or children are stored, only
/// how many nodes were inserted out of order (in front of a table).
#[derive(Default)]
struct ShapeOnly {
    fostered: Cell<usize>,
}

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
        // Without parents kept, every foster-parenting insertion counts.
        self.fostered.set(self.fostered.get() + 1);
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

    fn append_before_sibling(&self, _sibling: &ShapeHandle, _new_node: NodeOrText<ShapeHandle>) {
        self.fostered.set(self.fostered.get() + 1);
    }

    fn add_attrs_if_missing(&self, _target: &ShapeHandle, _attributes: Vec<Attribute>) {}

    fn remove_from_parent(&self, _target: &ShapeHandle) {}

    fn reparent_children(&self, _node: &ShapeHandle, _new_parent: &ShapeHandle) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &ShapeHandle) -> bool {
        handle.annotation_xml_integration_point
    }
}

/// An [`RcDom`] that finds a node among its siblings in constant time when nodes keep being
/// inserted in front of it (content foster-parented out of a table), which `RcDom` does
/// by walking the siblings every time.
#[derive(Default)]
struct FosterFriendlyDom {
    dom: RcDom,
    /// The last node something was inserted in front of, and its index in its parent.
    last_sibling: RefCell<Option<(Handle, usize)>>,
}

impl FosterFriendlyDom {
    /// `node`'s parent and index there, looked up where it was last time first.
    fn parent_and_index(&self, node: &Handle) -> Option<(Handle, usize)> {
        let weak = node.parent.take();
        let parent = weak.as_ref().and_then(|weak| weak.upgrade());
        node.parent.set(weak);
        let parent = parent?;
        let hinted = self
            .last_sibling
            .borrow()
            .as_ref()
            .filter(|(last, _)| Rc::ptr_eq(last, node))
            .map(|&(_, index)| index)
            .filter(|&index| {
                parent
                    .children
                    .borrow()
                    .get(index)
                    .is_some_and(|child| Rc::ptr_eq(child, node))
            });
        let index = match hinted {
            Some(index) => index,
            None => parent
                .children
                .borrow()
                .iter()
                .position(|child| Rc::ptr_eq(child, node))?,
        };
        Some((parent, index))
    }
}

impl TreeSink for FosterFriendlyDom {
    type Handle = Handle;
    type Output = Self;
    type ElemName<'a> = ExpandedName<'a>;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, message: Cow<'static, str>) {
        self.dom.parse_error(message)
    }

    fn get_document(&self) -> Handle {
        self.dom.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> ExpandedName<'a> {
        self.dom.elem_name(target)
    }

    fn create_element(
        &self,
        name: QualName,
        attributes: Vec<Attribute>,
        flags: ElementFlags,
    ) -> Handle {
        self.dom.create_element(name, attributes, flags)
    }

    fn create_comment(&self, text: StrTendril) -> Handle {
        self.dom.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Handle {
        self.dom.create_pi(target, data)
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.dom.append(parent, child)
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        previous: &Handle,
        child: NodeOrText<Handle>,
    ) {
        let weak = element.parent.take();
        let has_parent = weak.is_some();
        element.parent.set(weak);
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(previous, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.dom
            .append_doctype_to_document(name, public_id, system_id)
    }

    fn get_template_contents(&self, target: &Handle) -> Handle {
        self.dom.get_template_contents(target)
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        self.dom.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.dom.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &Handle, child: NodeOrText<Handle>) {
        let Some((parent, index)) = self.parent_and_index(sibling) else {
            // As RcDom would find it: a sibling without a parent is a builder bug.
            return self.dom.append_before_sibling(sibling, child);
        };
        let node = match child {
            NodeOrText::AppendText(text) => {
                let children = parent.children.borrow();
                if let Some(previous) = index.checked_sub(1).and_then(|at| children.get(at))
                    && let NodeData::Text { contents } = &previous.data
                {
                    contents.borrow_mut().push_slice(&text);
                    drop(children);
                    *self.last_sibling.borrow_mut() = Some((sibling.clone(), index));
                    return;
                }
                Node::new(NodeData::Text {
                    contents: RefCell::new(text),
                })
            }
            NodeOrText::AppendNode(node) => node,
        };
        // A node moved from elsewhere (RcDom allows it) leaves its old place first.
        self.dom.remove_from_parent(&node);
        let index = match self.parent_and_index(sibling) {
            Some((_, index)) => index,
            None => index,
        };
        node.parent.set(Some(Rc::downgrade(&parent)));
        parent.children.borrow_mut().insert(index, node);
        *self.last_sibling.borrow_mut() = Some((sibling.clone(), index + 1));
    }

    fn add_attrs_if_missing(&self, target: &Handle, attributes: Vec<Attribute>) {
        self.dom.add_attrs_if_missing(target, attributes)
    }

    fn remove_from_parent(&self, target: &Handle) {
        self.dom.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.dom.reparent_children(node, new_parent)
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &Handle) -> bool {
        self.dom.is_mathml_annotation_xml_integration_point(handle)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &Handle) {
        self.dom.maybe_clone_an_option_into_selectedcontent(option)
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

    /// `html` parsed into `sink` without the guard's limits mattering, and serialized.
    fn parse_and_serialize<Sink: TreeSink<Handle = Handle>>(html: &str, sink: Sink) -> String {
        let (sink, ..) = guarded_parse(html, sink, false);
        let document = sink.get_document();
        let root = document.children.borrow()[0].clone();
        let mut out = Vec::new();
        serialize(
            &mut out,
            &SerializableHandle::from(root),
            SerializeOpts {
                traversal_scope: TraversalScope::ChildrenOnly(None),
                ..SerializeOpts::default()
            },
        )
        .expect("serializes");
        String::from_utf8(out).expect("utf-8")
    }

    fn fostered(html: &str) -> usize {
        guarded_parse(html, ShapeOnly::default(), false)
            .0
            .fostered
            .get()
    }

    #[test]
    fn content_moved_out_of_tables_is_placed_as_rcdom_places_it() {
        for html in [
            "<p>a</p><table>x<b>y</b>z<!--c--><tr><td>in</td>w</tr>v<p>p</p>t</table>after",
            "<div>a<table><tr>x<table>y</table>z</tr></table>b</div><table>1<i>2</i>3",
            "<table><td>x</td></tr>y</tbody>z<caption>c</caption>w<colgroup>q</table>",
            "<b><table>x<a href=1>y<table>z</b>w</a>v",
        ] {
            assert_eq!(
                parse_and_serialize(html, FosterFriendlyDom::default()),
                parse_and_serialize(html, RcDom::default()),
                "{html}"
            );
        }
    }

    #[test]
    fn pages_moving_much_out_of_tables_are_rewritten_with_nothing_left_to_move() {
        let html = "<p>x</p>".repeat(3_000) + "<table>" + &"y<!---->".repeat(3_000) + "<p>z</p>";
        assert!(fostered(&html) > MAX_FOSTERED);
        let flat = flatten_deep_html(&html).expect("rewritten");
        assert_eq!(flat.dropped, 0);
        assert_eq!(fostered(&flat.html), 0);
        assert_eq!(flat.html.matches('y').count(), 3_000);
        assert!(flat.html.contains("<p>z</p>"));
        let few = "<table>".to_string() + &"y<!---->".repeat(MAX_FOSTERED / 2);
        assert_eq!(flatten_deep_html(&few), None);
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
