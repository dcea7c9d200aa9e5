//! Page text fit for HTML: invalid UTF-8 and NUL bytes replaced with U+FFFD, and where
//! they were, so that the writer can fix the file.
//!
//! Runs on every markdown file as it is read (pages, SUMMARY.md, includes, `content/`),
//! so every later stage sees clean text. A clean file costs one UTF-8 validation and one
//! byte scan, and is not copied.

/// U+FFFD, as readers see it.
const REPLACEMENT: char = char::REPLACEMENT_CHARACTER;

/// A problem found in a page's bytes: its first line, and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextProblem {
    pub line: u32,
    pub message: String,
}

/// The text of `bytes` with invalid UTF-8 and NUL bytes replaced, and one problem per
/// kind found; `None` when the bytes are clean UTF-8 text already.
pub(crate) fn repair(bytes: &[u8]) -> Option<(String, Vec<TextProblem>)> {
    if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        return None;
    }
    let mut text = String::with_capacity(bytes.len());
    let mut line: u32 = 1;
    let (mut invalid, mut first_invalid) = (0usize, 0u32);
    let (mut nuls, mut first_nul) = (0usize, 0u32);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\0' => {
                    nuls += 1;
                    if nuls == 1 {
                        first_nul = line;
                    }
                    text.push(REPLACEMENT);
                }
                '\n' => {
                    line += 1;
                    text.push(c);
                }
                c => text.push(c),
            }
        }
        if !chunk.invalid().is_empty() {
            invalid += 1;
            if invalid == 1 {
                first_invalid = line;
            }
            text.push(REPLACEMENT);
        }
    }
    let mut problems = Vec::new();
    if invalid > 0 {
        problems.push(TextProblem {
            line: first_invalid,
            message: format!(
                "{} of bytes that are not UTF-8 (the first on this line), shown as {REPLACEMENT}; save the file as UTF-8",
                count(invalid, "sequence")
            ),
        });
    }
    if nuls > 0 {
        problems.push(TextProblem {
            line: first_nul,
            message: format!(
                "{} (the first on this line), shown as {REPLACEMENT}; remove them: a page is text",
                count(nuls, "NUL byte")
            ),
        });
    }
    Some((text, problems))
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_left_alone() {
        assert_eq!(repair("# Café\n\n日本語\n".as_bytes()), None);
    }

    #[test]
    fn invalid_utf8_and_nul_bytes_are_replaced_and_located() {
        let (text, problems) =
            repair(b"# T\nok\nbad \x80 and \xe2\x82 cut\nnul \x00\x00 here\n").unwrap();
        assert_eq!(
            text,
            "# T\nok\nbad \u{fffd} and \u{fffd} cut\nnul \u{fffd}\u{fffd} here\n"
        );
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].line, 3);
        assert!(
            problems[0]
                .message
                .starts_with("2 sequences of bytes that are not UTF-8")
        );
        assert_eq!(problems[1].line, 4);
        assert!(problems[1].message.starts_with("2 NUL bytes"));
    }

    #[test]
    fn a_nul_alone_in_valid_utf8_is_found() {
        let (text, problems) = repair(b"a\x00").unwrap();
        assert_eq!(text, "a\u{fffd}");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 1);
    }
}
