//! Text analysis for search: folding, tokenizing, stop words and English (Porter) stemming,
//! shared by the indexer (this file) and the browser (`themes/default/static/search-text.js`).
//!
//! Both sides must turn the same text into the same terms, or a query misses what the index
//! holds; `tests/search-text-vectors.json` holds the cases both test suites check. The steps:
//! 1. runs: maximal runs of letters, digits, `_` and combining marks in the original text
//!    (marks belong to runs so that a decomposed `é` does not cut a word in two);
//! 2. a run's word: NFD, combining marks (general category M) dropped, lowercased, final
//!    sigma `ς` made `σ` (so Greek matches wherever the word ends), and only letters, digits
//!    and `_` kept;
//! 3. a word of one character, of more than 64, of `_` only, or a stop word has no term; a word
//!    of more than two letters a-z is Porter-stemmed; any other word is its own term (`8065`,
//!    `v2`, `mm_servicesettings_siteurl`);
//! 4. index side only (sub-terms): a run containing `_` also yields each `_`-separated part,
//!    and a camelCase run or part (a lowercase letter followed by an uppercase one in the
//!    original, `EnableWebhooks`) also yields its pieces, each through step 3. Queries never
//!    split, so a pasted `MM_SERVICESETTINGS_SITEURL` matches the whole key and `webhooks`
//!    matches `EnableWebhooks`. A run whose word is over 64 characters (a hash, base64) yields
//!    nothing at all.
//!
//! Most documentation text is ASCII: its runs are neither normalized nor copied, and stems are
//! computed in a stack buffer, so the indexer's millions of words allocate nothing per word.

#[cfg(test)]
use std::borrow::Cow;

use icu_normalizer::DecomposingNormalizerBorrowed;
use icu_properties::CodePointMapData;
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};

/// English function words that produce no term, sorted: Lucene's classic English list without
/// `no` and `not` (they change a sentence's meaning: "not supported"), plus `you` and `your`,
/// which documentation addresses on every page. `search-text.js` holds the same list.
pub(crate) const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with", "you", "your",
];

/// The stop words as numbers (their bytes little-endian, their length in the top byte),
/// compared in one pass without calling memcmp: the indexer asks for every word of every page.
const STOP_WORD_KEYS: [u64; STOP_WORDS.len()] = {
    let mut keys = [0; STOP_WORDS.len()];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        keys[i] = stop_word_key(STOP_WORDS[i].as_bytes());
        i += 1;
    }
    keys
};

/// The longest stop word's length: every key fits in a u64.
const MAX_STOP_WORD_LEN: usize = 5;

const fn stop_word_key(word: &[u8]) -> u64 {
    let mut key = (word.len() as u64) << 56;
    let mut i = 0;
    while i < word.len() {
        key |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    key
}

fn is_stop_word(word: &str) -> bool {
    word.len() <= MAX_STOP_WORD_LEN && STOP_WORD_KEYS.contains(&stop_word_key(word.as_bytes()))
}

/// Longer words are hashes, base64 or minified code, not something a reader types.
const MAX_WORD_CHARS: usize = 64;

/// Calls `emit` with every term of `text` for the index, in text order: each run's main term,
/// followed by its sub-terms (see the module comment). A term may repeat (one call per
/// occurrence): the indexer counts them.
pub(crate) fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut scratch = Scratch::new();
    for_each_run(text, |run| scratch.emit_terms(run, true, &mut emit));
}

/// The distinct terms of a query, in query order; no sub-terms. (The browser's
/// `queryTerms`; here it proves that both sides agree.)
#[cfg(test)]
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut scratch = Scratch::new();
    for_each_run(text, |run| {
        scratch.emit_terms(run, false, &mut |term: &str| {
            if !terms.iter().any(|known| known == term) {
                terms.push(term.to_owned());
            }
        });
    });
    terms
}

/// `text` folded: NFD, combining marks dropped, lowercase, `ς` as `σ`. Punctuation and spaces
/// stay (a token's word additionally keeps only letters, digits and `_`). (The browser's
/// `fold`; here it proves that both sides agree.)
#[cfg(test)]
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    let mut folded = String::with_capacity(text.len());
    push_folded(text, &mut folded, false);
    Cow::Owned(folded)
}

/// The Porter stem of `word` if it is made of more than two letters a-z; otherwise `word`.
/// (The indexer stems in place, without allocating; this is the browser's `stem`, for tests.)
#[cfg(test)]
pub(crate) fn stem(word: &str) -> Cow<'_, str> {
    let bytes = word.as_bytes();
    if bytes.len() <= 2 || !bytes.iter().all(u8::is_ascii_lowercase) {
        return Cow::Borrowed(word);
    }
    let mut stemmed = bytes.to_vec();
    let len = stem_in_place(&mut stemmed);
    stemmed.truncate(len);
    if bytes.starts_with(&stemmed) {
        // Only a suffix was removed: the stem is a prefix of the word.
        return Cow::Borrowed(&word[..len]);
    }
    String::from_utf8(stemmed).map_or(Cow::Borrowed(word), Cow::Owned)
}

/// Calls `each` with every run of letters, digits, `_` and combining marks of `text`.
fn for_each_run(text: &str, mut each: impl FnMut(&str)) {
    let mut start = None;
    for (index, c) in text.char_indices() {
        let in_run = if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            c.is_alphanumeric() || is_mark(c)
        };
        match (in_run, start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                each(&text[from..index]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        each(&text[from..]);
    }
}

fn is_mark(c: char) -> bool {
    GeneralCategoryGroup::Mark.contains(CodePointMapData::<GeneralCategory>::new().get(c))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Appends `text` folded to `out`, keeping only word characters if `word_only`.
fn push_folded(text: &str, out: &mut String, word_only: bool) {
    let nfd = DecomposingNormalizerBorrowed::new_nfd();
    for c in nfd.normalize_iter(text.chars()) {
        if is_mark(c) {
            continue;
        }
        // Per character, which is `str::to_lowercase` (and JavaScript's `toLowerCase`) except
        // for the final sigma, made `σ` on both sides anyway.
        for lower in c.to_lowercase() {
            let lower = if lower == 'ς' { 'σ' } else { lower };
            if !word_only || is_word_char(lower) {
                out.push(lower);
            }
        }
    }
}

/// Buffers reused from one run to the next.
struct Scratch {
    word: String,
    stem: [u8; MAX_WORD_CHARS],
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            word: String::new(),
            stem: [0; MAX_WORD_CHARS],
        }
    }

    /// Emits the run's main term and, with `sub_terms`, the terms of its parts.
    fn emit_terms(&mut self, run: &str, sub_terms: bool, emit: &mut impl FnMut(&str)) {
        let word = word_of(run, &mut self.word);
        if char_count(word) > MAX_WORD_CHARS {
            return;
        }
        if let Some(term) = term_of(word, &mut self.stem) {
            emit(term);
        }
        // Only `_` or a capital can split a run (ASCII lowercase runs, most words, cannot).
        let may_split = |b: u8| b == b'_' || b.is_ascii_uppercase() || !b.is_ascii();
        if !sub_terms || !run.bytes().any(may_split) {
            return;
        }
        let split_at_underscores = run.contains('_');
        for part in run.split('_').filter(|part| !part.is_empty()) {
            if split_at_underscores {
                self.emit_term_of(part, emit);
            }
            for_each_camel_piece(part, |piece| self.emit_term_of(piece, emit));
        }
    }

    fn emit_term_of(&mut self, piece: &str, emit: &mut impl FnMut(&str)) {
        let word = word_of(piece, &mut self.word);
        if let Some(term) = term_of(word, &mut self.stem) {
            emit(term);
        }
    }
}

/// The word of a run (folded, word characters only): the run itself when it is ASCII without
/// capitals, else built in `buffer`.
fn word_of<'a>(run: &'a str, buffer: &'a mut String) -> &'a str {
    buffer.clear();
    if run.is_ascii() {
        if !run.bytes().any(|b| b.is_ascii_uppercase()) {
            return run;
        }
        buffer.push_str(run);
        buffer.make_ascii_lowercase();
    } else {
        push_folded(run, buffer, true);
    }
    buffer
}

fn char_count(word: &str) -> usize {
    if word.is_ascii() {
        word.len()
    } else {
        word.chars().count()
    }
}

/// The term of a word (see step 3 of the module comment), the stem written in `stem_buffer`.
fn term_of<'a>(word: &'a str, stem_buffer: &'a mut [u8; MAX_WORD_CHARS]) -> Option<&'a str> {
    let chars = char_count(word);
    if !(2..=MAX_WORD_CHARS).contains(&chars)
        || word.bytes().all(|b| b == b'_')
        || is_stop_word(word)
    {
        return None;
    }
    let bytes = word.as_bytes();
    if chars > 2 && bytes.iter().all(u8::is_ascii_lowercase) {
        let buffer = &mut stem_buffer[..bytes.len()];
        buffer.copy_from_slice(bytes);
        let len = stem_in_place(buffer);
        return std::str::from_utf8(&buffer[..len]).ok();
    }
    Some(word)
}

/// Calls `each` with the pieces of a camelCase `part` (cut before each uppercase letter that
/// follows a lowercase one, combining marks between them ignored); nothing if there is no cut.
fn for_each_camel_piece(part: &str, mut each: impl FnMut(&str)) {
    let mut start = 0;
    let mut after_lowercase = false;
    for (index, c) in part.char_indices() {
        if c.is_ascii() {
            if after_lowercase && c.is_ascii_uppercase() {
                each(&part[start..index]);
                start = index;
            }
            after_lowercase = c.is_ascii_lowercase();
        } else if !is_mark(c) {
            if after_lowercase && c.is_uppercase() {
                each(&part[start..index]);
                start = index;
            }
            after_lowercase = c.is_lowercase();
        }
    }
    if start > 0 {
        each(&part[start..]);
    }
}

/// Stems `word` (letters a-z) in place and returns the stem's length: Porter's algorithm as
/// published (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980), not
/// the later reference code's departures (`bli`→`ble`, `logi`→`log`).
fn stem_in_place(word: &mut [u8]) -> usize {
    let len = word.len();
    if len <= 2 {
        return len;
    }
    let mut stemmer = Stemmer { b: word, k: len };
    stemmer.step1a();
    stemmer.step1b();
    stemmer.step1c();
    stemmer.replace_longest_suffix(STEP2, STEP2_LAST_LETTERS);
    stemmer.replace_longest_suffix(STEP3, STEP3_LAST_LETTERS);
    stemmer.step4();
    stemmer.step5();
    stemmer.k
}

/// Step 2: (m > 0) suffix → replacement. A suffix that ends another comes after it: the first
/// match is the longest, and it alone is tried.
const STEP2: &[(&[u8], &[u8])] = &[
    (b"ational", b"ate"),
    (b"tional", b"tion"),
    (b"enci", b"ence"),
    (b"anci", b"ance"),
    (b"izer", b"ize"),
    (b"abli", b"able"),
    (b"alli", b"al"),
    (b"entli", b"ent"),
    (b"eli", b"e"),
    (b"ousli", b"ous"),
    (b"ization", b"ize"),
    (b"ation", b"ate"),
    (b"ator", b"ate"),
    (b"alism", b"al"),
    (b"iveness", b"ive"),
    (b"fulness", b"ful"),
    (b"ousness", b"ous"),
    (b"aliti", b"al"),
    (b"iviti", b"ive"),
    (b"biliti", b"ble"),
];

/// Step 3: (m > 0) suffix → replacement.
const STEP3: &[(&[u8], &[u8])] = &[
    (b"icate", b"ic"),
    (b"ative", b""),
    (b"alize", b"al"),
    (b"iciti", b"ic"),
    (b"ical", b"ic"),
    (b"ful", b""),
    (b"ness", b""),
];

/// The last letters of the suffixes of steps 2, 3 and 4 as bits (a = 1): most words end with
/// none of them and skip the step without comparing a suffix.
const STEP2_LAST_LETTERS: u32 = last_letters_of_rules(STEP2);
const STEP3_LAST_LETTERS: u32 = last_letters_of_rules(STEP3);
const STEP4_LAST_LETTERS: u32 = {
    let mut letters = 0;
    let mut i = 0;
    while i < STEP4.len() {
        letters |= letter_bit(STEP4[i]);
        i += 1;
    }
    letters
};

const fn last_letters_of_rules(rules: &[(&[u8], &[u8])]) -> u32 {
    let mut letters = 0;
    let mut i = 0;
    while i < rules.len() {
        letters |= letter_bit(rules[i].0);
        i += 1;
    }
    letters
}

/// The bit of a word's last letter (a-z), 0 for an empty word.
const fn letter_bit(word: &[u8]) -> u32 {
    match word.last() {
        Some(&letter) if letter.is_ascii_lowercase() => 1 << (letter - b'a'),
        _ => 0,
    }
}

/// Step 4: (m > 1) suffix removed (`ion` only after `s` or `t`).
const STEP4: &[&[u8]] = &[
    b"al", b"ance", b"ence", b"er", b"ic", b"able", b"ible", b"ant", b"ement", b"ment", b"ent",
    b"ion", b"ou", b"ism", b"ate", b"iti", b"ous", b"ive", b"ize",
];

/// A word being stemmed: `b[..k]`.
struct Stemmer<'a> {
    b: &'a mut [u8],
    k: usize,
}

impl Stemmer<'_> {
    fn ends(&self, suffix: &[u8]) -> bool {
        // Compared by hand, last letter first: most suffixes fail there, and `ends_with`
        // would call memcmp dozens of times per word.
        suffix.len() <= self.k
            && suffix
                .iter()
                .rev()
                .zip(self.b[..self.k].iter().rev())
                .all(|(a, b)| a == b)
    }

    /// Replaces the last `len` letters by `by` (never longer than the room the word had).
    fn replace(&mut self, len: usize, by: &[u8]) {
        let from = self.k - len;
        if let Some(slot) = self.b.get_mut(from..from + by.len()) {
            slot.copy_from_slice(by);
            self.k = from + by.len();
        }
    }

    /// Whether letter `i` is a consonant: not a e i o u, and `y` only at the start or after a
    /// vowel (so in a run of `y`s they alternate).
    fn is_consonant(&self, i: usize) -> bool {
        match self.b[i] {
            b'a' | b'e' | b'i' | b'o' | b'u' => false,
            b'y' => {
                let mut first = i;
                while first > 0 && self.b[first - 1] == b'y' {
                    first -= 1;
                }
                let first_is_consonant =
                    first == 0 || matches!(self.b[first - 1], b'a' | b'e' | b'i' | b'o' | b'u');
                first_is_consonant == (i - first).is_multiple_of(2)
            }
            _ => true,
        }
    }

    /// Porter's m of `b[..len]`: the number of vowel-consonant sequences in [C](VC)^m[V].
    fn measure(&self, len: usize) -> usize {
        let mut m = 0;
        let mut previous_consonant = false;
        for (i, &letter) in self.b[..len].iter().enumerate() {
            let consonant = match letter {
                b'a' | b'e' | b'i' | b'o' | b'u' => false,
                b'y' => i == 0 || !previous_consonant,
                _ => true,
            };
            if consonant && i > 0 && !previous_consonant {
                m += 1;
            }
            previous_consonant = consonant;
        }
        m
    }

    /// Whether `b[..len]` contains a vowel (*v*).
    fn has_vowel(&self, len: usize) -> bool {
        let mut previous_consonant = false;
        for (i, &letter) in self.b[..len].iter().enumerate() {
            let consonant = match letter {
                b'a' | b'e' | b'i' | b'o' | b'u' => false,
                b'y' => i == 0 || !previous_consonant,
                _ => true,
            };
            if !consonant {
                return true;
            }
            previous_consonant = consonant;
        }
        false
    }

    /// Whether `b[..len]` ends with a double consonant (*d).
    fn ends_with_double_consonant(&self, len: usize) -> bool {
        len >= 2 && self.b[len - 1] == self.b[len - 2] && self.is_consonant(len - 1)
    }

    /// Whether `b[..len]` ends consonant-vowel-consonant, the last not w, x or y (*o).
    fn ends_cvc(&self, len: usize) -> bool {
        len >= 3
            && self.is_consonant(len - 1)
            && !self.is_consonant(len - 2)
            && self.is_consonant(len - 3)
            && !matches!(self.b[len - 1], b'w' | b'x' | b'y')
    }

    fn step1a(&mut self) {
        if self.ends(b"sses") || self.ends(b"ies") {
            self.k -= 2;
        } else if !self.ends(b"ss") && self.ends(b"s") {
            self.k -= 1;
        }
    }

    fn step1b(&mut self) {
        if self.ends(b"eed") {
            if self.measure(self.k - 3) > 0 {
                self.k -= 1;
            }
            return;
        }
        if self.ends(b"ed") && self.has_vowel(self.k - 2) {
            self.k -= 2;
        } else if self.ends(b"ing") && self.has_vowel(self.k - 3) {
            self.k -= 3;
        } else {
            return;
        }
        if self.ends(b"at") || self.ends(b"bl") || self.ends(b"iz") {
            self.replace(0, b"e");
        } else if self.ends_with_double_consonant(self.k)
            && !matches!(self.b[self.k - 1], b'l' | b's' | b'z')
        {
            self.k -= 1;
        } else if self.measure(self.k) == 1 && self.ends_cvc(self.k) {
            self.replace(0, b"e");
        }
    }

    fn step1c(&mut self) {
        if self.ends(b"y") && self.has_vowel(self.k - 1) {
            self.b[self.k - 1] = b'i';
        }
    }

    /// Steps 2 and 3: the longest matching suffix is replaced if the rest's m > 0.
    fn replace_longest_suffix(&mut self, rules: &[(&[u8], &[u8])], last_letters: u32) {
        if letter_bit(&self.b[..self.k]) & last_letters == 0 {
            return;
        }
        if let Some((suffix, by)) = rules.iter().find(|(suffix, _)| self.ends(suffix))
            && self.measure(self.k - suffix.len()) > 0
        {
            self.replace(suffix.len(), by);
        }
    }

    fn step4(&mut self) {
        if letter_bit(&self.b[..self.k]) & STEP4_LAST_LETTERS == 0 {
            return;
        }
        let Some(suffix) = STEP4.iter().find(|suffix| self.ends(suffix)) else {
            return;
        };
        let rest = self.k - suffix.len();
        if *suffix == b"ion" && !(rest > 0 && matches!(self.b[rest - 1], b's' | b't')) {
            return;
        }
        if self.measure(rest) > 1 {
            self.k = rest;
        }
    }

    fn step5(&mut self) {
        if self.ends(b"e") {
            let m = self.measure(self.k - 1);
            if m > 1 || (m == 1 && !self.ends_cvc(self.k - 1)) {
                self.k -= 1;
            }
        }
        if self.ends(b"ll") && self.measure(self.k) > 1 {
            self.k -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_terms(text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        for_each_term(text, |term| terms.push(term.to_owned()));
        terms
    }

    fn main_terms(text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        let mut scratch = Scratch::new();
        for_each_run(text, |run| {
            scratch.emit_terms(run, false, &mut |term: &str| terms.push(term.to_owned()))
        });
        terms
    }

    fn vectors() -> serde_json::Value {
        serde_json::from_str(include_str!("../../tests/search-text-vectors.json"))
            .expect("tests/search-text-vectors.json is JSON")
    }

    fn strings(value: &serde_json::Value) -> Vec<String> {
        value
            .as_array()
            .expect("an array")
            .iter()
            .map(|item| item.as_str().expect("a string").to_owned())
            .collect()
    }

    #[test]
    fn the_stop_words_are_the_shared_list_sorted() {
        let shared = strings(&vectors()["stopWords"]);
        assert_eq!(STOP_WORDS.to_vec(), shared);
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(
            STOP_WORDS
                .iter()
                .all(|word| word.len() <= MAX_STOP_WORD_LEN)
        );
        assert!(STOP_WORDS.iter().all(|word| is_stop_word(word)));
        for word in ["", "th", "thee", "theirs", "a\0", "not", "no", "webhook"] {
            assert!(!is_stop_word(word), "{word:?}");
        }
    }

    #[test]
    fn every_shared_text_gives_its_index_terms_and_main_terms() {
        for case in vectors()["texts"].as_array().expect("texts") {
            let text = case["text"].as_str().expect("text");
            assert_eq!(
                index_terms(text),
                strings(&case["index"]),
                "index of {text:?}"
            );
            assert_eq!(main_terms(text), strings(&case["main"]), "main of {text:?}");
        }
    }

    #[test]
    fn every_shared_query_gives_its_terms() {
        for case in vectors()["queries"].as_array().expect("queries") {
            let query = case["query"].as_str().expect("query");
            assert_eq!(query_terms(query), strings(&case["terms"]), "{query:?}");
        }
    }

    #[test]
    fn every_shared_fold_matches() {
        for case in vectors()["folds"].as_array().expect("folds") {
            let text = case[0].as_str().expect("text");
            assert_eq!(fold(text), case[1].as_str().expect("folded"), "{text:?}");
        }
    }

    #[test]
    fn every_shared_stem_matches() {
        let vectors = vectors();
        for section in ["stems", "wordList"] {
            let stems = vectors[section].as_object().expect("an object");
            assert!(!stems.is_empty());
            for (word, expected) in stems {
                assert_eq!(stem(word), expected.as_str().expect("a stem"), "{word:?}");
            }
        }
    }

    #[test]
    fn a_query_is_folded_and_stemmed_like_the_index() {
        for (text, query) in [
            ("EnableWebhooks", "Webhooks"),
            ("Naïve résumé", "NAIVE RESUME"),
            ("Résumé", "re\u{301}sume\u{301}"),
        ] {
            let index = index_terms(text);
            for term in query_terms(query) {
                assert!(index.contains(&term), "{term:?} of {query:?} in {index:?}");
            }
        }
    }

    #[test]
    fn stem_borrows_when_only_a_suffix_goes() {
        assert!(matches!(stem("webhooks"), Cow::Borrowed("webhook")));
        assert!(matches!(stem("Webhooks"), Cow::Borrowed("Webhooks")));
        assert_eq!(stem("ponies"), "poni");
        assert_eq!(stem("happy"), "happi");
        assert!(matches!(stem("happy"), Cow::Owned(_)));
    }

    #[test]
    fn hostile_text_neither_panics_nor_emits_long_terms() {
        let long_y = "y".repeat(100_000);
        assert_eq!(stem(&long_y).len(), long_y.len());
        let texts = [
            "\u{301}\u{301}\u{301}",
            "a\u{301}_\u{301}B\u{301}c",
            "İSTANBUL ΣΟΦΟΣ ǅemal ﬁle ß",
            "\u{10FFFF}\u{E000}\u{FFFD}𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ١٢٣ 日本語のテキスト 🙂👍🏽",
            &long_y,
        ];
        for text in texts {
            for_each_term(text, |term| assert!(char_count(term) <= MAX_WORD_CHARS));
            let _ = query_terms(text);
        }
    }

    /// Not a check: prints nanoseconds per word for the corpus's documentation (mostly ASCII)
    /// and for accented text, the best of five rounds (run with
    /// `cargo test --release --lib search::text -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn print_the_indexing_speed() {
        let corpus_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut corpus = String::new();
        let mut folders = vec![corpus_dir];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).expect("tests/corpus").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|extension| extension == "md") {
                    corpus.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        let accented = "Le résumé naïve de l'Ångström, déjà configuré; ".repeat(2000);
        for (name, text) in [
            ("tests/corpus markdown", corpus),
            ("accented French", accented),
        ] {
            let words = text.split_whitespace().count();
            let mut runs = 0;
            for_each_run(&text, |_| runs += 1);
            let mut best = f64::MAX;
            for _ in 0..5 {
                let start = std::time::Instant::now();
                for _ in 0..20 {
                    for_each_term(std::hint::black_box(&text), |term| {
                        std::hint::black_box(term);
                    });
                }
                best = best.min(start.elapsed().as_nanos() as f64 / 20.0);
            }
            println!(
                "{name}: {words} words ({runs} tokens): {:.1} ns/word, {:.1} ns/token",
                best / words as f64,
                best / runs as f64
            );
        }
    }
}
