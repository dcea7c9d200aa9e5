//! `integrations.json`: every integration with its versions and URLs, for other tools.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Inputs;
use crate::catalog::{Integration, Version};
use crate::config::{BaseUrl, Deployment, ManagedBy};
use crate::escape::json_for_the_web;

#[derive(Serialize)]
struct Document<'a> {
    site: SiteJson<'a>,
    integrations: Vec<IntegrationJson<'a>>,
}

#[derive(Serialize)]
struct SiteJson<'a> {
    title: &'a str,
    base_url: &'a str,
}

#[derive(Serialize)]
struct IntegrationJson<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    managed_by: ManagedBy,
    deployments: &'a [Deployment],
    web_url: Option<&'a str>,
    default_branch: &'a str,
    url: String,
    current_version: String,
    /// The version readers land on (`default_version`, else the current one).
    default_version: String,
    /// Its landing page.
    default_url: String,
    /// Where the current documentation lives when not here.
    docs_url: Option<&'a str>,
    versions: Vec<VersionJson<'a>>,
}

#[derive(Serialize)]
struct VersionJson<'a> {
    label: String,
    current: bool,
    kind: &'static str,
    #[serde(rename = "ref")]
    ref_name: String,
    commit: &'a str,
    updated: i64,
    min_server_version: Option<&'a str>,
    url: String,
    pages: usize,
    /// The version's pages for one deployment only, by deployment (`cloud` →
    /// `["setup.html"]`, paths relative to `url`); empty when no page is marked.
    deployment_pages: BTreeMap<&'static str, Vec<String>>,
}

/// Every integration with its versions and URLs, for other tools.
pub(super) fn integrations_json(inputs: &Inputs) -> anyhow::Result<Vec<u8>> {
    let base = &inputs.config.site.base_url;
    let document = Document {
        site: SiteJson {
            title: &inputs.config.site.title,
            base_url: &base.full,
        },
        integrations: inputs
            .catalog
            .integrations
            .iter()
            .map(|integration| integration_json(inputs, integration))
            .collect(),
    };
    let mut json = json_for_the_web(serde_json::to_string_pretty(&document)?).into_bytes();
    json.push(b'\n');
    Ok(json)
}

fn integration_json<'a>(inputs: &Inputs, integration: &'a Integration) -> IntegrationJson<'a> {
    let base = &inputs.config.site.base_url;
    IntegrationJson {
        id: &integration.id,
        name: &integration.name,
        description: &integration.description,
        managed_by: integration.managed_by,
        deployments: &integration.deployments,
        web_url: integration.web_url.as_deref(),
        default_branch: &integration.default_branch,
        url: base.join(&integration.latest_dir()),
        current_version: integration.current().label.to_string(),
        default_version: integration.default_version().label.to_string(),
        default_url: base.join(&integration.default_version().public_dir),
        docs_url: integration.docs_url.as_deref(),
        versions: integration
            .versions
            .iter()
            .map(|version| version_json(inputs, base, version))
            .collect(),
    }
}

fn version_json<'a>(inputs: &Inputs, base: &BaseUrl, version: &'a Version) -> VersionJson<'a> {
    VersionJson {
        label: version.label.to_string(),
        current: version.is_current(),
        kind: match version.origin {
            crate::source::Origin::Tag { .. } => "tag",
            _ => "branch",
        },
        ref_name: version.origin.ref_name(),
        commit: &version.commit,
        updated: version.commit_time,
        min_server_version: version
            .manifest
            .as_ref()
            .and_then(|m| m.min_server_version.as_deref()),
        url: base.join(&version.docs.dir),
        pages: version.docs.pages.len(),
        deployment_pages: crate::deployment_check::deployment_pages(
            inputs.catalog,
            inputs.rendered,
            version,
        ),
    }
}
