//! The view structs every template sees, and what builds them: the site (title, the way
//! back to the root), an integration's card, a version, a link, the integration groups of
//! the index and home pages.

use serde::Serialize;

use super::Inputs;
use super::portal::versions_page_path;
use crate::catalog::{Catalog, INTEGRATIONS_DIR, Integration, STATIC_DIR, Version};
use crate::config::{ManagedBy, SiteConfig};
use crate::paths::{path_to_root, relative_url};

#[derive(Serialize)]
pub(super) struct SiteView<'a> {
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) base_url: &'a str,
    /// Relative way back to the site root from this page (`../../`), or the base path on
    /// pages served at any depth (404).
    pub(super) root: String,
    pub(super) static_root: String,
    pub(super) home_url: String,
    pub(super) integrations_url: String,
    /// Whether the site has a search index (so pages show the search box).
    pub(super) search: bool,
}

impl<'a> SiteView<'a> {
    pub(super) fn new(config: &'a SiteConfig, root: String) -> Self {
        SiteView {
            title: &config.site.title,
            description: &config.site.description,
            base_url: &config.site.base_url.full,
            static_root: format!("{root}{STATIC_DIR}/"),
            home_url: format!("{root}index.html"),
            integrations_url: format!("{root}{INTEGRATIONS_DIR}/index.html"),
            search: config.search.enabled,
            root,
        }
    }

    pub(super) fn for_page(config: &'a SiteConfig, output_path: &str) -> Self {
        SiteView::new(config, path_to_root(output_path))
    }
}

#[derive(Serialize)]
pub(super) struct LinkView {
    pub(super) title: String,
    pub(super) url: String,
}

#[derive(Serialize)]
pub(super) struct IntegrationView<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) managed_by: ManagedBy,
    pub(super) managed_label: &'static str,
    pub(super) deployments: Vec<DeploymentView>,
    /// Relative URL of the landing page of the version readers land on: `latest/`, or
    /// the `default_version`'s folder.
    pub(super) url: String,
    /// Relative URL of the integration's version history page.
    pub(super) versions_url: String,
    /// The label of the version readers land on (the current one unless
    /// `default_version` names another).
    pub(super) current_version: String,
    /// How many versions besides that one.
    pub(super) older_versions: usize,
    /// Whether some of those are newer than it (`default_version` names an older one).
    pub(super) has_newer_versions: bool,
    /// Day of that version's last docs commit, `YYYY-MM-DD`.
    pub(super) updated: String,
    pub(super) web_url: Option<&'a str>,
    /// Where the current documentation lives when not here (`docs_url`).
    pub(super) docs_url: Option<&'a str>,
    /// For the index card: how many pages of the version readers land on are for one
    /// deployment only (`Cloud-only pages: 2`); filled in by the index only.
    pub(super) deployment_page_counts: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct DeploymentView {
    pub(super) id: &'static str,
    pub(super) label: &'static str,
}

#[derive(Serialize)]
pub(super) struct VersionView<'a> {
    pub(super) label: &'a str,
    /// Relative URL of this version's landing page.
    pub(super) landing_url: String,
    pub(super) is_current: bool,
    pub(super) ref_name: String,
    pub(super) commit: &'a str,
    pub(super) min_server_version: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct GroupView<'a> {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) description: &'static str,
    pub(super) integrations: Vec<IntegrationView<'a>>,
}

/// `12345` → `12,345`.
pub(super) fn with_thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

pub(super) fn version_view<'a>(
    catalog: &Catalog,
    version: &'a Version,
    from: &str,
) -> VersionView<'a> {
    VersionView {
        label: version.label.as_str(),
        landing_url: relative_url(from, &catalog.pages[version.landing].output_path),
        is_current: version.is_current(),
        ref_name: version.origin.ref_name(),
        commit: &version.commit,
        min_server_version: version
            .manifest
            .as_ref()
            .and_then(|m| m.min_server_version.as_deref()),
    }
}

pub(super) fn integration_view<'a>(
    catalog: &Catalog,
    integration: &'a Integration,
    from: &str,
) -> IntegrationView<'a> {
    IntegrationView {
        id: &integration.id,
        name: &integration.name,
        description: &integration.description,
        managed_by: integration.managed_by,
        managed_label: integration.managed_by.label(),
        deployments: integration
            .deployments
            .iter()
            .map(|d| DeploymentView {
                id: d.id(),
                label: d.label(),
            })
            .collect(),
        url: relative_url(from, default_landing_path(catalog, integration)),
        versions_url: relative_url(from, &versions_page_path(integration)),
        current_version: integration.default_version().label.to_string(),
        older_versions: integration.versions.len() - 1,
        has_newer_versions: integration.default_index > 0,
        updated: integration.default_version().updated_on(&catalog.pages),
        web_url: integration.web_url.as_deref(),
        docs_url: integration.docs_url.as_deref(),
        deployment_page_counts: Vec::new(),
    }
}

/// The site path readers land on for an integration: the landing page of its
/// `default_version` (`latest/index.html` unless set).
pub(super) fn default_landing_path<'c>(catalog: &'c Catalog, integration: &Integration) -> &'c str {
    &catalog.pages[integration.default_version().landing].public_path
}

pub(super) fn link_to(inputs: &Inputs, page_id: usize, from: &str) -> LinkView {
    LinkView {
        title: inputs.titles[page_id].clone(),
        url: relative_url(from, &inputs.catalog.pages[page_id].output_path),
    }
}

/// Integration cards grouped Mattermost-managed first, then community-managed, by name.
pub(super) fn integration_groups<'a>(inputs: &'a Inputs, from: &str) -> Vec<GroupView<'a>> {
    let groups = [
        (
            ManagedBy::Mattermost,
            "mattermost",
            "Mattermost-managed",
            "Maintained and documented by Mattermost.",
        ),
        (
            ManagedBy::Community,
            "community",
            "Community-managed",
            "Maintained and documented by their authors.",
        ),
    ];
    groups
        .into_iter()
        .map(|(managed_by, id, title, description)| {
            let mut integrations: Vec<IntegrationView> = inputs
                .catalog
                .integrations
                .iter()
                .filter(|i| i.managed_by == managed_by)
                .map(|i| IntegrationView {
                    deployment_page_counts: crate::deployment_check::deployment_page_counts(
                        inputs.catalog,
                        inputs.rendered,
                        i.default_version(),
                    ),
                    ..integration_view(inputs.catalog, i, from)
                })
                .collect();
            integrations.sort_by(|a, b| {
                a.name
                    .to_lowercase()
                    .cmp(&b.name.to_lowercase())
                    .then(a.id.cmp(b.id))
            });
            GroupView {
                id,
                title,
                description,
                integrations,
            }
        })
        .collect()
}
