//! The portal's generated pages: the integrations index, each integration's version
//! history and its redirect to `latest/`, and the pages `.gitbook.yaml` redirects publish.

use serde::Serialize;

use super::views::{
    GroupView, IntegrationView, SiteView, default_landing_path, integration_groups,
    integration_view,
};
use super::{Inputs, OutputFile, render};
use crate::catalog::{INTEGRATIONS_DIR, Integration, Version};
use crate::paths::relative_url;

pub(super) fn render_index(inputs: &Inputs) -> anyhow::Result<OutputFile> {
    let path = format!("{INTEGRATIONS_DIR}/index.html");
    #[derive(Serialize)]
    struct IndexContext<'a> {
        site: SiteView<'a>,
        groups: Vec<GroupView<'a>>,
        canonical: String,
    }
    let context = IndexContext {
        site: SiteView::for_page(inputs.config, &path),
        groups: integration_groups(inputs, &path),
        canonical: inputs
            .config
            .site
            .base_url
            .join(&format!("{INTEGRATIONS_DIR}/")),
    };
    Ok(OutputFile::new(
        path.clone(),
        render(inputs, "integrations.html", &context, &path)?,
    ))
}

/// `integrations/<id>/index.html`: on to `latest/`, or to the `default_version`'s folder.
pub(super) fn render_redirect(
    inputs: &Inputs,
    integration: &Integration,
) -> anyhow::Result<OutputFile> {
    let path = format!("{}index.html", integration.dir());
    let target = default_landing_path(inputs.catalog, integration);
    let landing = &inputs.catalog.pages[integration.default_version().landing];
    redirect_page(inputs, &path, &integration.name, target, &landing.canonical)
}

/// A page at `path` that sends readers on to the site path `target`, and search engines to
/// the canonical address of that page (`canonical`, a site path), the same one the page
/// itself names: a redirect never disagrees with its target about which copy to rank.
fn redirect_page(
    inputs: &Inputs,
    path: &str,
    title: &str,
    target: &str,
    canonical: &str,
) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct RedirectContext<'a> {
        site: SiteView<'a>,
        title: &'a str,
        target: String,
        canonical: String,
    }
    let context = RedirectContext {
        site: SiteView::for_page(inputs.config, path),
        title,
        target: crate::paths::relative_url(path, target),
        canonical: inputs.config.site.base_url.join(canonical),
    };
    Ok(OutputFile::new(
        path.to_string(),
        render(inputs, "redirect.html", &context, path)?,
    ))
}

/// `.gitbook.yaml` redirects of one version, also under `latest/` for the current one.
pub(super) fn version_redirects(
    inputs: &Inputs,
    version: &Version,
) -> anyhow::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for (from, target) in &version.redirects {
        let title = &inputs.titles[*target];
        let page = &inputs.catalog.pages[*target];
        let path = format!("{}{from}", version.docs.dir);
        files.push(redirect_page(
            inputs,
            &path,
            title,
            &page.output_path,
            &page.canonical,
        )?);
        if let (Some(alias), Some(alias_target)) = (version.alias_of(&path), &page.alias) {
            files.push(redirect_page(
                inputs,
                &alias,
                title,
                alias_target,
                &page.canonical,
            )?);
        }
    }
    Ok(files)
}

/// `integrations/<id>/versions.html`.
pub(super) fn versions_page_path(integration: &Integration) -> String {
    format!("{}versions.html", integration.dir())
}

/// An integration's version history: every version with its requirements and dates.
pub(super) fn render_versions_page(
    inputs: &Inputs,
    integration: &Integration,
) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct Row<'a> {
        label: &'a str,
        url: String,
        is_current: bool,
        min_server_version: Option<&'a str>,
        updated: String,
        ref_name: String,
    }
    #[derive(Serialize)]
    struct VersionsContext<'a> {
        site: SiteView<'a>,
        integration: IntegrationView<'a>,
        versions: Vec<Row<'a>>,
        canonical: String,
    }
    let path = versions_page_path(integration);
    let versions = integration
        .versions
        .iter()
        .map(|version| Row {
            label: version.label.as_str(),
            url: relative_url(&path, &inputs.catalog.pages[version.landing].public_path),
            is_current: version.is_current(),
            min_server_version: version
                .manifest
                .as_ref()
                .and_then(|m| m.min_server_version.as_deref()),
            updated: version.updated_on(&inputs.catalog.pages),
            ref_name: version.origin.ref_name(),
        })
        .collect();
    let context = VersionsContext {
        site: SiteView::for_page(inputs.config, &path),
        integration: integration_view(inputs.catalog, integration, &path),
        versions,
        canonical: inputs.config.site.base_url.join(&path),
    };
    Ok(OutputFile::new(
        path.clone(),
        render(inputs, "versions.html", &context, &path)?,
    ))
}
