//! `portico list`: the integrations and the versions found for each, for CI logs.
//!
//! Reads sources and classifies them like a build, renders nothing, writes no site (remote
//! repositories are fetched into the cache first, as for a build, unless `--offline`).

use std::fmt::Write;

use crate::options::BuildOptions;
use crate::{catalog, source};

/// The listing, and whether every integration could be read.
pub struct Listing {
    pub text: String,
    pub unreadable: usize,
}

pub fn list(options: &BuildOptions) -> anyhow::Result<Listing> {
    let config = options.load_config()?;
    let (mirrors, reading) = source::fetch_remotes(&config, &options.fetch_settings(&config), None);
    let sources = source::aggregate_with(
        &config,
        // The list shows versions, not pages: no page is dated.
        source::ReadOptions {
            page_dates: source::PageDates::Skip,
            ..source::ReadOptions::default()
        },
        None,
        &mirrors,
    );
    drop(reading);
    let (catalog, _) = catalog::classify(&config, &sources);
    let mut text = String::new();
    let mut unreadable = 0;
    for (index, integration_config) in config.integrations.iter().enumerate() {
        let deployments: Vec<&str> = integration_config
            .deployments
            .iter()
            .map(|d| d.id())
            .collect();
        let _ = writeln!(
            text,
            "{}  ({}; {})  {}",
            integration_config.id,
            integration_config.managed_by.label().to_lowercase(),
            if deployments.is_empty() {
                "no deployments".to_string()
            } else {
                deployments.join(", ")
            },
            integration_config.repo
        );
        let Some(integration) = catalog.integrations.iter().find(|i| i.config == index) else {
            unreadable += 1;
            let reason = sources.integrations[index].as_ref().err().map_or_else(
                || "no readable version".to_string(),
                |err| err.message.clone(),
            );
            let _ = writeln!(text, "  cannot be read: {reason}");
            continue;
        };
        for version in &integration.versions {
            let _ = writeln!(
                text,
                "  {:<8} {:<8} {:<32} {}  {}  {} page(s)",
                version.label.as_str(),
                if version.is_current() {
                    "current"
                } else {
                    "archived"
                },
                version.origin.describe(),
                &version.commit[..version.commit.len().min(10)],
                version.updated_on(&catalog.pages),
                version.docs.pages.len()
            );
        }
        if !integration.skipped_branches.is_empty() {
            let _ = writeln!(
                text,
                "  skipped (shaped like docs branches, but match no version pattern): {}",
                integration.skipped_branches.join(", ")
            );
        }
    }
    Ok(Listing { text, unreadable })
}
