//! Reading YAML from repositories nobody on the portal's side reviews (page front matter,
//! `plugin.yaml`) with bounded work.
//!
//! The YAML scanner re-checks every open flow collection (`[`, `{`) at each token, so its
//! work grows with the square of their nesting: 40,000 `[` in one front matter took 3 s
//! and 100,000 about 20 s, though the parse then fails at its recursion limit anyway. Real
//! front matter and manifests hold a few brackets; text with more than
//! [`MAX_FLOW_BRACKETS`] is refused before parsing. Brackets are counted wherever they are
//! (quotes included): a count cannot be fooled by quoting the way a depth estimate could.

/// More `[` and `{` than this in one YAML text and it is not parsed.
pub const MAX_FLOW_BRACKETS: usize = 2_048;

/// Parses YAML text into `T`, refusing text whose brackets would make parsing slow; the
/// error says what is wrong.
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let brackets = bytes.iter().filter(|b| matches!(b, b'[' | b'{')).count();
    if brackets > MAX_FLOW_BRACKETS {
        return Err(format!(
            "it holds {brackets} `[`/`{{` brackets, more than the {MAX_FLOW_BRACKETS} Portico reads; write lists and maps as indented blocks"
        ));
    }
    serde_yaml_ng::from_slice(bytes).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_yaml_is_read() {
        let value: serde_yaml_ng::Value = from_slice(b"title: Setup\ntags: [a, b]\n").unwrap();
        assert_eq!(value["tags"][1], "b");
    }

    #[test]
    fn deeply_nested_flow_collections_are_refused_before_parsing() {
        let bomb = format!("title: {}", "[".repeat(100_000));
        let error = from_slice::<serde_yaml_ng::Value>(bomb.as_bytes()).unwrap_err();
        assert!(error.contains("100000 `[`/`{` brackets"), "{error}");
    }
}
