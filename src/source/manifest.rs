//! The plugin manifest at a repository's root: `plugin.json` or `plugin.yaml`.
//!
//! Only the fields the portal shows are kept; everything else in the manifest is ignored.

use serde::Deserialize;

/// Fields of a Mattermost plugin manifest the portal uses. All optional: many are missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Manifest {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    pub min_server_version: Option<String>,
    pub homepage_url: Option<String>,
    pub support_url: Option<String>,
}

/// The manifest file names, in the order they are looked for.
pub const MANIFEST_FILES: [&str; 3] = ["plugin.json", "plugin.yaml", "plugin.yml"];

/// Parses a manifest by file name; the error says what is wrong in the file.
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<Manifest, String> {
    let manifest: Manifest = if file_name.ends_with(".json") {
        serde_json::from_slice(bytes).map_err(|err| err.to_string())?
    } else {
        crate::yaml::from_slice(bytes)?
    };
    Ok(manifest.cleaned())
}

impl Manifest {
    /// Empty strings mean "not given" (plugin.json files often carry `"description": ""`).
    fn cleaned(self) -> Manifest {
        let keep = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        Manifest {
            id: keep(self.id),
            name: keep(self.name),
            description: keep(self.description),
            version: keep(self.version),
            min_server_version: keep(self.min_server_version),
            homepage_url: keep(self.homepage_url),
            support_url: keep(self.support_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_manifests_give_the_same_fields() {
        let json = br#"{"id": "jira", "name": "Jira", "version": "3.2.1", "description": "", "server": {"executables": {}}}"#;
        let yaml = b"id: jira\nname: Jira\nversion: 3.2.1\ndescription: ''\n";
        let from_json = parse("plugin.json", json).unwrap();
        assert_eq!(from_json, parse("plugin.yaml", yaml).unwrap());
        assert_eq!(from_json.version.as_deref(), Some("3.2.1"));
        assert_eq!(from_json.description, None);
    }

    #[test]
    fn a_broken_manifest_is_an_error_not_a_panic() {
        assert!(parse("plugin.json", b"{ not json").is_err());
    }
}
