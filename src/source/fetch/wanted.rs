//! Which refs of a remote a mirror fetches: the default branch, archive-shaped branches,
//! branches matching the integration's patterns, and release tags (for version labels).
//!
//! Asks the remote what it advertises; decides nothing about the mirror on disk.

use std::collections::BTreeSet;

use git2::{Direction, ErrorClass, ErrorCode, Repository};

use super::credentials::CredentialSources;
use crate::config::IntegrationConfig;
use crate::version::{self, VersionPattern};

/// The remote's default branch, every ref it advertises, and the refs a build reads: that
/// branch, the configured one, archive-shaped branches and release tags.
pub(super) fn list_wanted(
    repo: &Repository,
    url: &str,
    integration: &IntegrationConfig,
    credentials: &CredentialSources,
) -> Result<(String, BTreeSet<String>, BTreeSet<String>), git2::Error> {
    let mut remote = repo.remote_anonymous(url)?;
    let connection = remote.connect_auth(Direction::Fetch, Some(credentials.callbacks()), None)?;
    let heads = connection.list()?;
    let head_branch = heads
        .iter()
        .find(|head| head.name() == "HEAD")
        .and_then(|head| head.symref_target())
        .and_then(|target| target.strip_prefix("refs/heads/"))
        .map(str::to_string);
    let default_branch = integration
        .branch
        .clone()
        .or(head_branch)
        .or_else(|| {
            ["main", "master"]
                .into_iter()
                .find(|name| {
                    heads
                        .iter()
                        .any(|h| h.name() == format!("refs/heads/{name}"))
                })
                .map(str::to_string)
        })
        .ok_or_else(|| {
            configuration_error("the remote names no default branch; set `branch` in site.toml")
        })?;
    let mut tag_patterns = integration.version_tags.clone();
    for default in ["v{version}", "{version}"] {
        tag_patterns.push(VersionPattern::parse(default).expect("built-in pattern is valid"));
    }
    let mut wanted = BTreeSet::new();
    for head in heads {
        let name = head.name();
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            if branch == default_branch
                || version::looks_like_docs_branch(branch)
                || version::match_any(&integration.version_branches, branch).is_some()
            {
                wanted.insert(name.to_string());
            }
        } else if let Some(tag) = name.strip_prefix("refs/tags/")
            && !tag.ends_with("^{}")
            && version::match_any(&tag_patterns, tag).is_some()
        {
            wanted.insert(name.to_string());
        }
    }
    if !wanted.contains(&format!("refs/heads/{default_branch}")) {
        return Err(configuration_error(&format!(
            "the remote has no branch {default_branch:?}; fix `branch` in site.toml"
        )));
    }
    let advertised = heads.iter().map(|head| head.name().to_string()).collect();
    Ok((default_branch, advertised, wanted))
}

/// A failure of `site.toml` against what the remote has: never retried.
fn configuration_error(message: &str) -> git2::Error {
    git2::Error::new(ErrorCode::NotFound, ErrorClass::Reference, message)
}
