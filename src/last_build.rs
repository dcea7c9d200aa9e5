//! The last build published into an output folder: what it was made from and what it
//! found, so that a build of exactly the same inputs into the same, untouched folder
//! publishes nothing new and reports what the last one found (CI re-running a pipeline
//! where nothing changed takes a fraction of a second).
//!
//! Input: the fingerprint of a build's inputs ([`inputs`]: the Portico binary, the
//! command-line overrides that change output, and `source::fingerprint`). Output: the
//! recorded report when the record in `cache_dir/builds/` has the same fingerprint and the
//! output folder still holds what that build published (its `manifest.json` has the
//! recorded hash and its marker is there). Any doubt (no record, an unreadable or foreign
//! one, another output) means the build simply runs. Writes only its record.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::outcome::IntegrationSummary;
use crate::source::{self, Mirrors};
use crate::{BuildOptions, BuildReport, publish, render, theme};

/// Bumped when the record's layout changes.
const LAYOUT: u32 = 1;

/// What is kept of a published build.
#[derive(Serialize, Deserialize)]
struct Record {
    layout: u32,
    /// The output folder it was published into.
    output: PathBuf,
    inputs: String,
    /// SHA-256 of the `manifest.json` it published.
    manifest: String,
    /// When the record was written (nanoseconds since the Unix epoch): no file of the
    /// output may be newer.
    recorded: u128,
    diagnostics: Vec<Diagnostic>,
    integrations: usize,
    versions: usize,
    pages: usize,
    files: usize,
    broken_links: usize,
    catalog: Vec<IntegrationSummary>,
}

/// The fingerprint of everything a build with `options` reads; `None` when it cannot be
/// told (the build then runs).
pub(crate) fn inputs(
    config: &SiteConfig,
    options: &BuildOptions,
    mirrors: &Mirrors,
) -> Option<String> {
    let theme_dir = config.root.join(theme::THEMES_DIR).join(&config.site.theme);
    let sources = source::fingerprint(config, &theme_dir, mirrors)?;
    let mut hasher = Sha256::new();
    for part in [
        render::binary_identity(),
        options.base_url.as_deref().unwrap_or("-"),
        &sources,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    Some(hex(&hasher.finalize()))
}

/// The report of the last build into the output folder, when `inputs` are exactly its
/// inputs and the folder still holds what it published.
pub(crate) fn unchanged(config: &SiteConfig, inputs: &str) -> Option<BuildReport> {
    let out = &config.build.output_dir;
    let record: Record = serde_json::from_slice(&fs::read(record_path(config)?).ok()?).ok()?;
    let manifest = fs::read(out.join(publish::MANIFEST)).ok()?;
    let fits = record.layout == LAYOUT
        && record.inputs == inputs
        && record.output == fs::canonicalize(out).ok()?
        && record.manifest == hex(&Sha256::digest(&manifest))
        && out.join(publish::OUTPUT_MARKER).is_file()
        && untouched(out, &manifest, record.recorded)?;
    fits.then(|| BuildReport {
        diagnostics: record.diagnostics,
        integrations: record.integrations,
        versions: record.versions,
        pages: record.pages,
        files: record.files,
        broken_links: record.broken_links,
        output: Some(out.clone()),
        catalog: record.catalog,
        unchanged: true,
        ..BuildReport::default()
    })
}

/// Records a build just published with `inputs` (failing to only costs the next build
/// its shortcut).
pub(crate) fn remember(config: &SiteConfig, inputs: &str, report: &BuildReport) {
    let out = &config.build.output_dir;
    let (Some(path), Ok(manifest), Ok(output)) = (
        record_path(config),
        fs::read(out.join(publish::MANIFEST)),
        fs::canonicalize(out),
    ) else {
        return;
    };
    let record = Record {
        layout: LAYOUT,
        output,
        inputs: inputs.to_string(),
        manifest: hex(&Sha256::digest(&manifest)),
        recorded: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
        diagnostics: report.diagnostics.clone(),
        integrations: report.integrations,
        versions: report.versions,
        pages: report.pages,
        files: report.files,
        broken_links: report.broken_links,
        catalog: report.catalog.clone(),
    };
    let Ok(json) = serde_json::to_vec(&record) else {
        return;
    };
    if let Some(folder) = path.parent() {
        let _ = fs::create_dir_all(folder);
    }
    let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
    if fs::write(&temporary, json).is_err() || fs::rename(&temporary, &path).is_err() {
        let _ = fs::remove_file(&temporary);
    }
}

/// Whether the output folder holds exactly the files its `manifest.json` lists (and its
/// own two), each of the listed size and none modified after `recorded`: a file added,
/// removed, resized or touched since means the build runs again.
fn untouched(out: &Path, manifest: &[u8], recorded: u128) -> Option<bool> {
    #[derive(Deserialize)]
    struct Entry {
        path: String,
        size: u64,
    }
    #[derive(Deserialize)]
    struct Manifest {
        files: Vec<Entry>,
    }
    let manifest: Manifest = serde_json::from_slice(manifest).ok()?;
    let mut listed: std::collections::HashMap<String, u64> = manifest
        .files
        .into_iter()
        .map(|entry| (entry.path, entry.size))
        .collect();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let meta = entry.metadata().ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        if modified > recorded {
            return Some(false);
        }
        let path = entry.path().strip_prefix(out).ok()?.to_string_lossy();
        let path = path.replace(std::path::MAIN_SEPARATOR, "/");
        if path == publish::MANIFEST || path == publish::OUTPUT_MARKER {
            continue;
        }
        match listed.remove(&path) {
            Some(size) if size == meta.len() => {}
            _ => return Some(false),
        }
    }
    Some(listed.is_empty())
}

/// Forgets the record of the output folder (before a build replaces it).
pub(crate) fn forget(config: &SiteConfig) {
    if let Some(path) = record_path(config) {
        let _ = fs::remove_file(path);
    }
}

/// Where the keys of the pages published into the output folder are kept
/// (`publish::Staging::keep`).
pub(crate) fn page_keys_path(config: &SiteConfig) -> Option<PathBuf> {
    record_path(config).map(|path| path.with_extension("pages"))
}

/// `cache_dir/builds/<hash of the output folder>.json`.
fn record_path(config: &SiteConfig) -> Option<PathBuf> {
    let out = fs::canonicalize(&config.build.output_dir)
        .or_else(|_| std::path::absolute(&config.build.output_dir))
        .ok()?;
    let name = hex(&Sha256::digest(path_bytes(&out)));
    Some(
        config
            .build
            .cache_dir
            .join("builds")
            .join(format!("{}.json", &name[..32])),
    )
}

fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
