//! The portal's full-text search index: static files the theme's search box fetches on
//! demand (format in `README.md`, "Search").
//!
//! Input: the catalog, every page's rendering (community pages already sanitized) and
//! title. Output: the files under `_portico/search/`. Versioned docs are mostly the same
//! text from version to version, and git names each text by its blob id, so the index is
//! built per *document*: one distinct blob of one integration, recording which of the
//! integration's versions hold it. Six versions of an integration cost little more than one.
//!
//! The dictionary is split into chunks of about [`CHUNK_TARGET`] bytes by term, so a query
//! downloads the chunks holding its terms and the fragments (title, addresses, passage
//! texts) of the results it shows, never the whole index. Each document's text is
//! analysed once, in parallel; dictionaries and chunks are named by their content (fragments
//! by document, `meta.json` fixed), so the output is deterministic and caches never serve a
//! stale chunk.
//!
//! This module writes nothing to disk and knows nothing of templates: it returns output
//! files, which `publish` writes with the rest of the site.

mod cache;
mod extract;
pub(crate) mod text;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, Integration, Owner, STATIC_DIR, canonical_site_path};
use crate::compose::{OutputFile, Sink};
use crate::escape::json_for_the_web;
use crate::render::RenderedPages;

use extract::Passage;

/// Bump when the files' format changes (the browser side checks it).
pub(crate) const FORMAT: u32 = 1;

/// About how many bytes of dictionary one chunk holds: small enough that a query's few
/// chunks stay far below the page-weight budget, large enough that a portal has tens of
/// chunks, not thousands of files.
const CHUNK_TARGET: usize = 16 * 1024;

/// Per (term, passage) weights; the browser multiplies them by the term's rarity.
const TITLE_WEIGHT: u32 = 40;
const HEADING_WEIGHT: u32 = 20;
/// Occurrences in a passage's text beyond this add nothing (a page repeating a word is
/// not more relevant for it).
const MAX_TEXT_COUNT: u32 = 10;

/// A term's postings name at most this many passages of a document (its best): a result
/// shows one, and a word repeated all over a page must not make its postings grow with it.
const MAX_PASSAGES_PER_TERM: usize = 4;

/// The most distinct terms indexed for one document (a real page has a few hundred; a
/// generated one must not grow every dictionary).
const MAX_TERMS_PER_DOCUMENT: usize = 5_000;

/// Passages per fragment file: a result fetches the file holding its passage,
/// `f/<document>-<passage / PASSAGES_PER_PART>.json`.
const PASSAGES_PER_PART: usize = 8;

/// The folder of the index inside the site.
pub(crate) fn index_dir() -> String {
    format!("{STATIC_DIR}/search/")
}

/// The whole index as output files: `meta.json`, the dictionaries (`d/*.json`, each a list
/// of its chunks `t/*.json`) and each document's fragments `f/<document>-<part>.json`.
pub(crate) fn index(
    catalog: &Catalog,
    rendered: &RenderedPages,
    titles: &[String],
    site_title: &str,
    cache_dir: &std::path::Path,
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let dir = index_dir();
    let cache = cache::AnalysisCache::open(cache_dir, rendered.caches_writable());
    let (mut groups, documents) = documents(catalog, titles, site_title);
    // One dictionary per group, of every version (the scopes "this version" and "all
    // versions"), and one of every group's current version ("all integrations"). Of a
    // group's documents, only the current version's terms are kept for the latter.
    let indexed: Vec<GroupIndex> = groups
        .par_iter()
        .map(|group| index_group(group, &documents, catalog, rendered, cache.as_ref(), sink))
        .collect::<anyhow::Result<_>>()?;
    let mut files = Vec::new();
    let mut current: Vec<(usize, DocumentTerms)> = Vec::new();
    let mut analyses = std::collections::HashSet::new();
    for (group, indexed) in groups.iter_mut().zip(indexed) {
        group.dictionary = indexed.dictionary;
        current.extend(indexed.current);
        analyses.extend(indexed.analyses);
    }
    if let Some(cache) = &cache {
        cache.prune(&analyses);
    }
    let entries = current.iter().map(|(id, terms)| (*id, terms));
    let current = write_dictionary(dictionary(&documents, entries), &mut files)?;
    let meta = Meta {
        format: FORMAT,
        docs: documents.len(),
        passages_per_part: PASSAGES_PER_PART,
        groups,
        current,
        deployments: deployments_of(&documents, |page| page_deployments(&rendered.parsed[page])),
    };
    // Two dictionaries may hold the same chunk (a portal of one version); one file serves
    // (the sink keeps the first of a path, and chunks are named by their content).
    for file in files {
        let key = file_key(&file.path);
        put_kept(sink, file, key)?;
    }
    // Named by what it is, not by its content: always written.
    sink.put(OutputFile {
        path: format!("{dir}meta.json"),
        bytes: json_for_the_web(serde_json::to_string(&meta)?)
            .into_bytes()
            .into(),
    })
}

/// The key of an index file (see `compose::Sink::keep`): what names its content (the
/// analysis a fragment comes from; a dictionary file's name, which is its content's hash).
fn file_key(names: &impl std::hash::Hash) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (FORMAT, crate::render::binary_identity(), names).hash(&mut hasher);
    hasher.finish()
}

/// Stores an index file, or keeps the output's own when the last build wrote it with `key`.
fn put_kept(sink: &dyn Sink, file: OutputFile, key: u64) -> anyhow::Result<()> {
    if sink.keep(&file.path, key) {
        return Ok(());
    }
    sink.put_page(file, key)
}

/// A group's part of the index (its files are in the sink).
struct GroupIndex {
    /// Its dictionary's name.
    dictionary: String,
    /// The terms of its current version's documents.
    current: Vec<(usize, DocumentTerms)>,
    /// The keys of its documents' analyses (see `cache`).
    analyses: Vec<u64>,
}

fn index_group(
    group: &Group,
    documents: &[Document],
    catalog: &Catalog,
    rendered: &RenderedPages,
    cache: Option<&cache::AnalysisCache>,
    sink: &dyn Sink,
) -> anyhow::Result<GroupIndex> {
    let dir = index_dir();
    let analyses: Vec<u64> = (group.first..group.end)
        .map(|id| {
            let document = &documents[id];
            cache::key(
                &document.title,
                &document.urls,
                rendered.identity(document.page),
            )
        })
        .collect();
    let analysed: Vec<cache::Analysis> = (group.first..group.end)
        .into_par_iter()
        .zip(analyses.par_iter())
        .map(|(id, &key)| {
            if let Some(found) = cache.and_then(|cache| cache.load(key)) {
                return Ok(found);
            }
            let page = documents[id].page;
            let analysis = analyse(
                &documents[id],
                &rendered.html(catalog, page),
                &rendered.parsed[page].toc,
            )?;
            if let Some(cache) = cache {
                cache.store(key, &analysis);
            }
            Ok(analysis)
        })
        .collect::<anyhow::Result<_>>()?;
    let mut files = Vec::with_capacity(analysed.len() * 2 + 32);
    let mut terms = Vec::with_capacity(analysed.len());
    let mut fragment_keys = Vec::with_capacity(files.capacity());
    for ((id, (document_terms, fragments)), analysis) in
        (group.first..).zip(analysed).zip(&analyses)
    {
        for (part, bytes) in fragments.into_iter().enumerate() {
            files.push(OutputFile {
                path: format!("{dir}f/{id}-{part}.json"),
                bytes: bytes.into(),
            });
            fragment_keys.push(file_key(&(analysis, part)));
        }
        terms.push((id, document_terms));
    }
    let entries = terms.iter().map(|(id, terms)| (*id, terms));
    let dictionary = write_dictionary(dictionary(documents, entries), &mut files)?;
    let in_current = |id: usize| documents[id].urls.first().is_some_and(|(v, _)| *v == 0);
    for (index, file) in files.into_iter().enumerate() {
        // A fragment is named by its document's analysis; a dictionary file by its content.
        let key = match fragment_keys.get(index) {
            Some(&key) => key,
            None => file_key(&file.path),
        };
        put_kept(sink, file, key)?;
    }
    Ok(GroupIndex {
        analyses,
        dictionary,
        current: terms
            .into_iter()
            .filter(|(id, _)| in_current(*id))
            .collect(),
    })
}

/// Writes a dictionary's chunks (`t/<name>.json`) and their list (`d/<name>.json`: an array
/// of [first term, chunk name]); returns the list's name.
fn write_dictionary(
    dictionary: Vec<(String, String)>,
    files: &mut Vec<OutputFile>,
) -> anyhow::Result<String> {
    let dir = index_dir();
    let mut list = Vec::new();
    for chunk in chunk_dictionary(&dictionary)? {
        let name = content_name(&chunk.bytes);
        files.push(OutputFile {
            path: format!("{dir}t/{name}.json"),
            bytes: chunk.bytes.into(),
        });
        list.push((chunk.first_term, name));
    }
    let bytes = serde_json::to_vec(&list)?;
    let name = content_name(&bytes);
    files.push(OutputFile {
        path: format!("{dir}d/{name}.json"),
        bytes: bytes.into(),
    });
    Ok(name)
}

// ---------------------------------------------------------------------------------------
// Documents: one per distinct text of a group (an integration, or the portal's own pages).

/// `meta.json`.
#[derive(Serialize)]
struct Meta {
    format: u32,
    docs: usize,
    /// Passages per fragment file.
    passages_per_part: usize,
    groups: Vec<Group>,
    /// The dictionary of every group's current version (`d/<name>.json`).
    current: String,
    /// Deployment (`cloud`, `self-managed`) → the documents whose page is marked for it
    /// (issue 14), ascending; absent when no page is marked. The reader's side ranks the
    /// pages of the deployment the reader chose first.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    deployments: BTreeMap<String, Vec<usize>>,
}

/// The deployments a page's front matter marks it for (`deployments: [cloud]`), as
/// meta.json's `deployments` lists them for ranking.
fn page_deployments(parsed: &crate::markdown::Parsed) -> Vec<String> {
    parsed
        .deployments
        .page
        .iter()
        .map(|deployment| deployment.id().to_string())
        .collect()
}

/// meta.json's `deployments`: each deployment named by `deployments_of_page` (for a
/// document's page) → the ids of the documents marked for it.
fn deployments_of(
    documents: &[Document],
    deployments_of_page: impl Fn(usize) -> Vec<String>,
) -> BTreeMap<String, Vec<usize>> {
    let mut by_deployment: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, document) in documents.iter().enumerate() {
        for deployment in deployments_of_page(document.page) {
            by_deployment.entry(deployment).or_default().push(id);
        }
    }
    by_deployment
}

/// An integration (or the portal's own pages, last, with `id` empty and the site's title): its documents are
/// the ids `first..end`.
#[derive(Serialize)]
struct Group {
    id: String,
    name: String,
    first: usize,
    end: usize,
    /// Version labels; index 0 is the current version.
    versions: Vec<String>,
    /// The group's dictionary, of every version (`d/<name>.json`).
    dictionary: String,
}

/// One distinct text: the page it is read from (in the newest version holding it) and the
/// address of the page in each version holding it.
struct Document {
    page: usize,
    title: String,
    /// (local version index, site path), ascending by version.
    urls: Vec<(usize, String)>,
}

/// The groups, and every document with its ids in group order.
fn documents(
    catalog: &Catalog,
    titles: &[String],
    site_title: &str,
) -> (Vec<Group>, Vec<Document>) {
    let mut groups = Vec::with_capacity(catalog.integrations.len() + 1);
    let mut documents: Vec<Document> = Vec::new();
    for integration in &catalog.integrations {
        let first = documents.len();
        // Within an integration every page has the same trust, so the blob alone names
        // the text.
        let mut by_blob: HashMap<&str, usize> = HashMap::new();
        for (version_index, version) in integration.versions.iter().enumerate() {
            for &page in &version.docs.pages {
                let url = version_url(integration, version_index, &catalog.pages[page].rel_path);
                let blob = catalog.pages[page].source.blob.as_str();
                match by_blob.get(blob) {
                    Some(&id) => {
                        let urls = &mut documents[id].urls;
                        if urls.last().is_none_or(|(v, _)| *v != version_index) {
                            urls.push((version_index, url));
                        }
                    }
                    None => {
                        by_blob.insert(blob, documents.len());
                        documents.push(Document {
                            page,
                            title: titles[page].clone(),
                            urls: vec![(version_index, url)],
                        });
                    }
                }
            }
        }
        groups.push(Group {
            id: integration.id.clone(),
            name: integration.name.clone(),
            first,
            end: documents.len(),
            versions: integration
                .versions
                .iter()
                .map(|version| version.label.as_str().to_string())
                .collect(),
            dictionary: String::new(),
        });
    }
    let first = documents.len();
    for (page, page_ref) in catalog.pages.iter().enumerate() {
        if page_ref.owner == Owner::Portal {
            documents.push(Document {
                page,
                title: titles[page].clone(),
                urls: vec![(0, canonical_site_path(&page_ref.output_path))],
            });
        }
    }
    groups.push(Group {
        id: String::new(),
        name: site_title.to_string(),
        first,
        end: documents.len(),
        versions: vec![String::new()],
        dictionary: String::new(),
    });
    (groups, documents)
}

/// Where a reader finds a version's page (`latest/` for the current version).
fn version_url(integration: &Integration, version_index: usize, rel_path: &str) -> String {
    let dir = &integration.versions[version_index].public_dir;
    canonical_site_path(&format!("{dir}{rel_path}"))
}

// ---------------------------------------------------------------------------------------
// Analysis: a document's passages and the weight of each term in each passage.

/// A document's terms, sorted, each with its weight in each passage holding it: one
/// string and two arrays rather than a map of strings, since every document of a group
/// (and the current versions' ones until the end) is held at once.
#[derive(Default)]
struct DocumentTerms {
    /// The terms, concatenated.
    text: String,
    /// Per term: where it ends in `text`, and where its passages end in `passages`.
    ends: Vec<(u32, u32)>,
    /// (passage, weight), passages ascending per term.
    passages: Vec<(u32, u32)>,
}

impl DocumentTerms {
    fn iter(&self) -> impl Iterator<Item = (&str, &[(u32, u32)])> {
        let mut start = (0, 0);
        self.ends.iter().map(move |&(text_end, passages_end)| {
            let (text_start, passages_start) = start;
            start = (text_end as usize, passages_end as usize);
            (
                &self.text[text_start..text_end as usize],
                &self.passages[passages_start..passages_end as usize],
            )
        })
    }
}

/// A document's terms, sorted, and its fragment.
/// A document's terms, and its fragment files (one per [`PASSAGES_PER_PART`] passages).
fn analyse(
    document: &Document,
    html: &str,
    toc: &[crate::markdown::TocEntry],
) -> anyhow::Result<(DocumentTerms, Vec<Vec<u8>>)> {
    let sections = extract::sections(html, toc);
    let passages = extract::passages(&sections);
    let mut weights = PassageWeights::default();
    text::for_each_term(&document.title, |term| {
        weights.bonus(term, 0, TITLE_WEIGHT);
    });
    for (index, passage) in passages.iter().enumerate() {
        let index = index as u32;
        let first_of_section =
            index == 0 || passages[index as usize - 1].section != passage.section;
        if first_of_section {
            text::for_each_term(&sections[passage.section].heading, |term| {
                weights.bonus(term, index, HEADING_WEIGHT)
            });
        }
        text::for_each_term(passage.text, |term| weights.occurrence(term, index));
    }
    Ok((weights.finish(), fragments(document, &passages)?))
}

/// A document's terms while it is read: per term, per passage, the occurrences in the text
/// and the bonus for a title or heading holding it (the larger one when both do).
#[derive(Default)]
struct PassageWeights {
    /// Each term's id (index into `passages`). The standard hash on purpose: community text
    /// is untrusted, and a weak hash would let a page of crafted colliding words make
    /// indexing quadratic.
    ids: HashMap<String, usize>,
    /// Each term's passages, ascending: they are read in order.
    passages: Vec<Vec<PassageCount>>,
}

/// (passage, occurrences in its text, title or heading bonus).
type PassageCount = (u32, u32, u32);

impl PassageWeights {
    fn entry(&mut self, term: &str, passage: u32) -> &mut PassageCount {
        let id = match self.ids.get(term) {
            Some(&id) => id,
            None => {
                self.ids.insert(term.to_string(), self.passages.len());
                self.passages.push(Vec::new());
                self.passages.len() - 1
            }
        };
        let passages = &mut self.passages[id];
        if passages.last().is_none_or(|(last, ..)| *last != passage) {
            passages.push((passage, 0, 0));
        }
        let last = passages.len() - 1;
        &mut passages[last]
    }

    fn occurrence(&mut self, term: &str, passage: u32) {
        self.entry(term, passage).1 += 1;
    }

    fn bonus(&mut self, term: &str, passage: u32, bonus: u32) {
        let entry = self.entry(term, passage);
        entry.2 = entry.2.max(bonus);
    }

    /// The terms, sorted, each with its best [`MAX_PASSAGES_PER_TERM`] passages; of a page
    /// with more than [`MAX_TERMS_PER_DOCUMENT`] distinct terms, the weightiest.
    fn finish(mut self) -> DocumentTerms {
        let weight = |(_, count, bonus): &PassageCount| *count.min(&MAX_TEXT_COUNT) + bonus;
        let mut kept: Vec<(String, Vec<PassageCount>)> = self
            .ids
            .into_iter()
            .map(|(term, id)| {
                let mut passages = std::mem::take(&mut self.passages[id]);
                if passages.len() > MAX_PASSAGES_PER_TERM {
                    passages.sort_by(|a, b| weight(b).cmp(&weight(a)).then(a.0.cmp(&b.0)));
                    passages.truncate(MAX_PASSAGES_PER_TERM);
                    passages.sort_unstable();
                }
                (term, passages)
            })
            .collect();
        if kept.len() > MAX_TERMS_PER_DOCUMENT {
            let total = |passages: &[PassageCount]| passages.iter().map(weight).sum::<u32>();
            kept.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(MAX_TERMS_PER_DOCUMENT);
        }
        kept.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        let mut terms = DocumentTerms::default();
        for (term, passages) in kept {
            terms.text.push_str(&term);
            terms
                .passages
                .extend(passages.iter().map(|entry| (entry.0, weight(entry))));
            terms
                .ends
                .push((terms.text.len() as u32, terms.passages.len() as u32));
        }
        terms.text.shrink_to_fit();
        terms.passages.shrink_to_fit();
        terms
    }
}

// ---------------------------------------------------------------------------------------
// The dictionary: every term's postings, encoded.

/// The dictionary of some documents (ascending ids): term → encoded postings, in the
/// browser's sort order.
fn dictionary<'a>(
    documents: &[Document],
    entries: impl Iterator<Item = (usize, &'a DocumentTerms)>,
) -> Vec<(String, String)> {
    struct Postings {
        encoded: String,
        last_document: usize,
    }
    let mut by_term: HashMap<&str, Postings> = HashMap::new();
    for (id, terms) in entries {
        let runs = version_runs(documents[id].urls.iter().map(|(version, _)| *version));
        for (term, passages) in terms.iter() {
            let postings = by_term.entry(term).or_insert(Postings {
                encoded: String::new(),
                last_document: 0,
            });
            let out = &mut postings.encoded;
            push_number(out, (id - postings.last_document) as u64);
            postings.last_document = id;
            push_number(out, runs.len() as u64);
            let mut end = 0;
            for &(start, length) in &runs {
                push_number(out, (start - end) as u64);
                push_number(out, length as u64);
                end = start + length;
            }
            push_number(out, passages.len() as u64);
            let mut previous = 0;
            for &(passage, weight) in passages {
                push_number(out, u64::from(passage - previous));
                push_number(out, u64::from(weight));
                previous = passage;
            }
        }
    }
    let mut terms: Vec<(String, String)> = by_term
        .into_iter()
        .map(|(term, postings)| (term.to_string(), postings.encoded))
        .collect();
    terms.sort_by(|(a, _), (b, _)| browser_order(a, b));
    terms
}

/// JavaScript compares strings by UTF-16 code units; the browser's binary search over
/// chunk boundaries needs the same order.
fn browser_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Ascending version indexes as (start, length) runs.
fn version_runs(versions: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for version in versions {
        match runs.last_mut() {
            Some((start, length)) if *start + *length == version => *length += 1,
            _ => runs.push((version, 1)),
        }
    }
    runs
}

/// The base64url alphabet (RFC 4648 §5), as a table: the digits are single characters of
/// a number format of our own (below), not base64-encoded bytes, so the `base64` crate's
/// encoders do not apply; a test checks the table against its alphabet.
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` as base64url digits of 5 bits each, least significant first; a digit of 32
/// or more says another digit follows.
fn push_number(out: &mut String, mut n: u64) {
    loop {
        let payload = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(DIGITS[payload] as char);
            return;
        }
        out.push(DIGITS[payload + 32] as char);
    }
}

struct Chunk {
    first_term: String,
    bytes: Vec<u8>,
}

/// Splits the sorted dictionary into JSON chunks of about [`CHUNK_TARGET`] bytes. A term
/// is never split, so a very common term may make its chunk larger.
fn chunk_dictionary(dictionary: &[(String, String)]) -> anyhow::Result<Vec<Chunk>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut first_term = String::new();
    for (term, postings) in dictionary {
        if current.is_empty() {
            current.push(b'[');
            if !chunks.is_empty() {
                first_term = term.clone();
            }
        } else {
            current.push(b',');
        }
        serde_json::to_writer(&mut current, &(term, postings))?;
        if current.len() >= CHUNK_TARGET {
            current.push(b']');
            chunks.push(Chunk {
                first_term: std::mem::take(&mut first_term),
                bytes: std::mem::take(&mut current),
            });
        }
    }
    if !current.is_empty() || chunks.is_empty() {
        if current.is_empty() {
            current.push(b'[');
        }
        current.push(b']');
        chunks.push(Chunk {
            first_term,
            bytes: current,
        });
    }
    Ok(chunks)
}

/// 16 hex digits of the SHA-256 of `bytes`.
fn content_name(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut name = String::with_capacity(16);
    for byte in &digest[..8] {
        let _ = write!(name, "{byte:02x}");
    }
    name
}

// ---------------------------------------------------------------------------------------
// Fragments: what a result shows.

/// A fragment file: the document's title and addresses, and [`PASSAGES_PER_PART`] of its
/// passages.
#[derive(Serialize)]
struct Fragment<'a> {
    title: &'a str,
    /// Local version index (as a JSON key) → site path.
    urls: &'a BTreeMap<String, &'a str>,
    /// The part's passages as (heading, anchor, plain text) (the format calls them sections).
    sections: Vec<(&'a str, &'a str, &'a str)>,
}

fn fragments(document: &Document, passages: &[Passage]) -> anyhow::Result<Vec<Vec<u8>>> {
    let urls: BTreeMap<String, &str> = document
        .urls
        .iter()
        .map(|(version, url)| (version.to_string(), url.as_str()))
        .collect();
    let mut files = Vec::with_capacity(passages.len().div_ceil(PASSAGES_PER_PART).max(1));
    // A page without text still has its title and addresses.
    let parts: Vec<&[Passage]> = match passages.len() {
        0 => vec![&[]],
        _ => passages.chunks(PASSAGES_PER_PART).collect(),
    };
    for part in parts {
        let fragment = Fragment {
            title: &document.title,
            urls: &urls,
            sections: part
                .iter()
                .map(|passage| (passage.heading, passage.anchor, passage.text))
                .collect(),
        };
        files.push(json_for_the_web(serde_json::to_string(&fragment)?).into_bytes());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(encoded: &str) -> Vec<u64> {
        let mut numbers = Vec::new();
        let (mut value, mut shift) = (0u64, 0);
        for byte in encoded.bytes() {
            let digit = DIGITS.iter().position(|d| *d == byte).unwrap() as u64;
            value |= (digit & 31) << shift;
            shift += 5;
            if digit < 32 {
                numbers.push(value);
                (value, shift) = (0, 0);
            }
        }
        numbers
    }

    #[test]
    fn deployments_list_the_documents_marked_for_each_in_id_order() {
        let document = |page| Document {
            page,
            title: String::new(),
            urls: Vec::new(),
        };
        let documents = [document(10), document(11), document(12)];
        let marks = |page| match page {
            10 => vec!["self-managed".to_string()],
            12 => vec!["cloud".to_string(), "self-managed".to_string()],
            _ => Vec::new(),
        };
        let listed = deployments_of(&documents, marks);
        assert_eq!(listed["cloud"], vec![2]);
        assert_eq!(listed["self-managed"], vec![0, 2]);
        assert!(deployments_of(&documents, |_| Vec::new()).is_empty());
    }

    #[test]
    fn numbers_read_back_the_same() {
        let mut out = String::new();
        let numbers = [0, 1, 31, 32, 1023, 1024, 123_456_789, u64::from(u32::MAX)];
        for n in numbers {
            push_number(&mut out, n);
        }
        assert_eq!(decode(&out), numbers);
        let mut small = String::new();
        push_number(&mut small, 31);
        assert_eq!(small.len(), 1, "numbers below 32 take one digit");
    }

    #[test]
    fn number_digits_are_the_base64url_alphabet() {
        assert_eq!(
            DIGITS.as_slice(),
            base64::alphabet::URL_SAFE.as_str().as_bytes()
        );
    }

    #[test]
    fn versions_become_runs() {
        assert_eq!(
            version_runs([0, 1, 2, 5, 6, 9].into_iter()),
            [(0, 3), (5, 2), (9, 1)]
        );
        assert_eq!(version_runs(std::iter::empty()), []);
    }

    #[test]
    fn chunks_cover_the_dictionary_in_order_and_name_their_first_term() {
        let dictionary: Vec<(String, String)> = (0..3000)
            .map(|i| (format!("term{i:05}"), "ABCDEFGH".repeat(3)))
            .collect();
        let chunks = chunk_dictionary(&dictionary).unwrap();
        assert!(chunks.len() > 2);
        assert_eq!(
            chunks[0].first_term, "",
            "the first chunk starts before every term"
        );
        let mut all = Vec::new();
        for (index, chunk) in chunks.iter().enumerate() {
            let entries: Vec<(String, String)> = serde_json::from_slice(&chunk.bytes).unwrap();
            if index > 0 {
                assert_eq!(chunk.first_term, entries[0].0);
            }
            assert!(chunk.bytes.len() < CHUNK_TARGET + 100);
            all.extend(entries);
        }
        assert_eq!(all, dictionary);
    }

    #[test]
    fn the_browser_order_puts_astral_characters_before_the_last_bmp_ones() {
        // UTF-8 byte order and UTF-16 order disagree here; the browser uses UTF-16.
        assert_eq!(
            browser_order("\u{10000}", "\u{ffff}"),
            std::cmp::Ordering::Less
        );
        assert_eq!(browser_order("a", "b"), std::cmp::Ordering::Less);
    }
}
