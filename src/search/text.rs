//! Placeholder text analysis (the "text" helper replaces this file): lowercase words.

use std::borrow::Cow;

pub(crate) fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    for word in text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
    {
        emit(&word.to_lowercase());
    }
}

#[allow(dead_code)]
pub(crate) fn stem(word: &str) -> Cow<'_, str> {
    Cow::Borrowed(word)
}
