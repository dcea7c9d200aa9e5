//! Link resolution: what a link written in a page points at. Relative and rooted links
//! inside a version's repository, links between the portal's own pages, absolute links to
//! the portal itself, links to where an integration's docs were published before
//! (`legacy_urls`), and links to repository files best read in the repository's web view.

use super::{Catalog, DocSet, INTEGRATIONS_DIR, Owner, PORTAL_ADDRESS_MISSING, Page};
use crate::markdown::links::{self, Destination, RepoTarget};
use crate::markdown::{LinkKind, LinkResolver, LinkTarget, Resolution};
use crate::paths;

impl Catalog {
    /// The site path (and fragment) of an absolute URL into the portal itself
    /// (`https://<base_url>/integrations/jira/latest/`).
    fn portal_path_of(&self, url: &str) -> Option<(String, Option<String>)> {
        if !self.base_url.has_host() {
            return None;
        }
        let bare = |u: &str| {
            u.trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_string()
        };
        let rest = bare(url)
            .strip_prefix(&bare(&self.base_url.full))?
            .to_string();
        let (path, fragment) = match rest.split_once('#') {
            Some((path, fragment)) => (path.to_string(), Some(paths::percent_decode(fragment))),
            None => (rest, None),
        };
        let path = path.split('?').next().unwrap_or_default();
        Some((paths::percent_decode(path), fragment))
    }

    /// `/integrations/…` (or `/<base path>/integrations/…`): the portal's integration docs.
    fn is_portal_docs_path(&self, rooted: &str) -> bool {
        self.strip_base_path(rooted)
            .starts_with(&format!("{INTEGRATIONS_DIR}/"))
    }

    fn strip_base_path<'p>(&self, rooted: &'p str) -> &'p str {
        let prefix = self.base_url.path.trim_start_matches('/');
        rooted.strip_prefix(prefix).unwrap_or(rooted)
    }

    /// The resolver for links written in `page`.
    pub fn links_of(&self, page: usize) -> PageLinks<'_> {
        PageLinks {
            catalog: self,
            page,
        }
    }

    /// The pages every portal has besides the docs: the integrations index and each
    /// integration's redirect to `latest/`.
    pub fn is_generated_page(&self, site_path: &str) -> bool {
        site_path == format!("{INTEGRATIONS_DIR}/index.html")
            || self
                .integrations
                .iter()
                .any(|integration| site_path == format!("{}index.html", integration.dir()))
    }

    /// `integrations/<id>/latest/<page>` where the current version has that page.
    fn is_latest_alias_of_a_page(&self, site_path: &str) -> bool {
        self.integrations.iter().any(|integration| {
            site_path
                .strip_prefix(&integration.latest_dir())
                .is_some_and(|rest| {
                    let current = integration.current();
                    self.page_by_output
                        .contains_key(&format!("{}{rest}", current.docs.dir))
                })
        })
    }
}

/// Resolves the links of one page against its doc set.
pub struct PageLinks<'c> {
    catalog: &'c Catalog,
    page: usize,
}

impl PageLinks<'_> {
    fn page(&self) -> &Page {
        &self.catalog.pages[self.page]
    }

    fn to_page(&self, target: usize, fragment: Option<String>) -> Resolution {
        // An anchor on the same page stays `#anchor`.
        let mut href = if target == self.page && fragment.is_some() {
            String::new()
        } else {
            paths::relative_url(
                &self.page().output_path,
                &self.catalog.pages[target].output_path,
            )
        };
        if let Some(fragment) = &fragment {
            href.push('#');
            href.push_str(&paths::percent_encode_path(fragment));
        }
        Resolution::Rewritten {
            href,
            target: LinkTarget::Page {
                output_path: self.catalog.pages[target].output_path.clone(),
                fragment,
            },
        }
    }

    fn to_output(
        &self,
        output_path: &str,
        fragment: Option<&str>,
        target: LinkTarget,
    ) -> Resolution {
        let mut href = paths::relative_url(&self.page().output_path, output_path);
        if let Some(fragment) = fragment {
            href.push('#');
            href.push_str(&paths::percent_encode_path(fragment));
        }
        Resolution::Rewritten { href, target }
    }

    /// A file of the repository in its web view (`blob` for files, `tree` for folders).
    fn to_web_view(set: &DocSet, kind: &str, path: &str) -> Option<Resolution> {
        let (url, reference) = set.web_view.as_ref()?;
        Some(Resolution::Rewritten {
            href: format!(
                "{url}/{kind}/{reference}/{}",
                paths::percent_encode_path(path)
            ),
            target: LinkTarget::Elsewhere,
        })
    }

    /// A link from a portal page to a site path (`/integrations/`, `/process/branching.md`).
    fn resolve_site_path(&self, path: &str, fragment: Option<String>) -> Resolution {
        let folder = links::names_folder(path);
        if let Some(page) = self.catalog.portal.find_page(path, folder) {
            return self.to_page(page, fragment);
        }
        let trimmed = path.trim_end_matches('/');
        let output = match (folder, trimmed.is_empty()) {
            (true, true) => "index.html".to_string(),
            (true, false) => format!("{trimmed}/index.html"),
            (false, _) => trimmed.to_string(),
        };
        if let Some(&page) = self.catalog.page_by_output.get(&output) {
            return self.to_page(page, fragment);
        }
        if let Some((index, asset)) = self.catalog.portal.find_asset(trimmed) {
            return self.to_output(
                &asset.output_path,
                fragment.as_deref(),
                LinkTarget::Asset(index),
            );
        }
        if self.catalog.is_generated_page(&output)
            || self.catalog.is_latest_alias_of_a_page(&output)
        {
            return self.to_output(&output, fragment.as_deref(), LinkTarget::Elsewhere);
        }
        Resolution::Broken {
            reason: format!("{PORTAL_ADDRESS_MISSING} /{path}"),
        }
    }
}

impl PageLinks<'_> {
    /// An absolute link to where some integration's docs were published before
    /// (`legacy_urls`), mapped to the same page in the portal: in this version when the
    /// link is to this integration's old site, else in that integration's current version.
    fn resolve_legacy_url(&self, dest: &str) -> Option<Resolution> {
        let bare = |url: &str| {
            url.trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_string()
        };
        let dest_bare = bare(dest);
        let (index, rest) =
            self.catalog
                .integrations
                .iter()
                .enumerate()
                .find_map(|(index, integration)| {
                    integration.legacy_urls.iter().find_map(|prefix| {
                        let prefix = bare(prefix);
                        let rest = dest_bare.strip_prefix(&prefix).or_else(|| {
                            (dest_bare == prefix.trim_end_matches('/')).then_some("")
                        })?;
                        Some((index, rest.to_string()))
                    })
                })?;
        let (path, fragment) = match rest.split_once('#') {
            Some((path, fragment)) => (path.to_string(), Some(paths::percent_decode(fragment))),
            None => (rest, None),
        };
        let path = paths::percent_decode(path.split('?').next().unwrap_or_default());
        let page = self.page();
        let integration = &self.catalog.integrations[index];
        let version_index = match page.owner {
            Owner::Version {
                integration: own,
                version,
            } if own == index => version,
            _ => 0,
        };
        let version = &integration.versions[version_index];
        let folder = links::names_folder(&path);
        let find_in = |version: &super::Version| {
            paths::join(&version.docs.root, &path)
                .and_then(|joined| version.docs.find_page(&joined, folder))
        };
        // The old address may name the page as another version called it (renamed since).
        let found = find_in(version).or_else(|| {
            integration.versions.iter().find_map(|other| {
                let page = find_in(other)?;
                integration.same_pages.in_version(page, version_index)
            })
        });
        Some(match found {
            Some(target) => self.to_page(target, fragment),
            None => Resolution::Broken {
                reason: format!(
                    "this is the old address of {} docs, and {} {} has no page {path:?}",
                    integration.name, integration.name, version.label
                ),
            },
        })
    }
}

impl LinkResolver for PageLinks<'_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        let set = self.catalog.doc_set(self.page().owner);
        let path = links::include_path(from, target)?;
        if let Some(file) = set.includes.get(&path) {
            return Ok((path, file.text().into_owned()));
        }
        let page = set
            .find_page(&path, false)
            .ok_or_else(|| format!("{path} does not exist on this branch"))?;
        Ok((path, self.catalog.pages[page].source.text().into_owned()))
    }

    fn page_title(&self, output_path: &str) -> Option<String> {
        let page = self.catalog.page_at_output(output_path)?;
        let source = &self.catalog.pages[page].source;
        crate::markdown::title_hint(&source.text())
            .or_else(|| Some(paths::humanize(&paths::file_stem(&source.path))))
    }

    fn asset_size(&self, asset: usize) -> Option<u64> {
        let set = self.catalog.doc_set(self.page().owner);
        set.assets.get(asset).map(|a| a.source.bytes.len() as u64)
    }

    fn image_size(&self, asset: usize) -> Option<(u32, u32)> {
        let set = self.catalog.doc_set(self.page().owner);
        set.assets
            .get(asset)
            .and_then(|a| crate::image_size::dimensions(&a.source.bytes))
    }

    fn resolve(&self, dest: &str, kind: LinkKind) -> Resolution {
        let page = self.page();
        let set = self.catalog.doc_set(page.owner);
        match links::classify(dest) {
            Destination::External => {
                // A link to the portal itself, written as a full address.
                if let Some(site_path) = self.catalog.portal_path_of(dest) {
                    return self.resolve_site_path(&site_path.0, site_path.1);
                }
                return self
                    .resolve_legacy_url(dest)
                    .unwrap_or(Resolution::Unchanged);
            }
            Destination::Fragment(fragment) if fragment.is_empty() => return Resolution::Unchanged,
            Destination::Fragment(fragment) => return self.to_page(self.page, Some(fragment)),
            Destination::Rooted { path, fragment } if set.rooted_is_site => {
                return self.resolve_site_path(&path, fragment);
            }
            // In an integration's docs `/docs/a.md` is the repository's root (as on GitHub),
            // but `/integrations/<id>/…` is another integration's docs in the portal.
            Destination::Rooted { path, fragment } if self.catalog.is_portal_docs_path(&path) => {
                let path = self.catalog.strip_base_path(&path).to_string();
                return self.resolve_site_path(&path, fragment);
            }
            Destination::Rooted { .. } | Destination::Relative { .. } => {}
        }
        let Some(target) = links::resolve_in_repo(&page.source.path, dest) else {
            return Resolution::Broken {
                reason: "the path leaves the repository".to_string(),
            };
        };
        let RepoTarget {
            path,
            folder,
            fragment,
        } = target;
        if let Some(found) = set.find_page(&path, folder) {
            return self.to_page(found, fragment);
        }
        if let Some((index, asset)) = set.find_asset(&path) {
            // A link (not an image) to a repository file that is not docs material, such as
            // LICENSE or source code, is best read in the repository's web view.
            if kind == LinkKind::Link
                && !set.is_docs_material(&path)
                && let Some(web) = Self::to_web_view(set, "blob", &path)
            {
                return web;
            }
            return self.to_output(
                &asset.output_path,
                fragment.as_deref(),
                LinkTarget::Asset(index),
            );
        }
        if let Some(reason) = set.withheld.get(&path) {
            if kind == LinkKind::Link
                && let Some(web) = Self::to_web_view(set, "blob", &path)
            {
                return web;
            }
            return Resolution::Broken {
                reason: reason.clone(),
            };
        }
        if set.repo_paths.contains(&path) {
            return Self::to_web_view(set, "tree", &path).unwrap_or_else(|| Resolution::Broken {
                reason: format!(
                    "{path} is in the repository but not part of the published docs, and the repository has no web_url to link to"
                ),
            });
        }
        Resolution::Broken {
            reason: match kind {
                LinkKind::Image => format!("image {path} does not exist on this branch"),
                LinkKind::Link => format!("no page or file {path} on this branch"),
            },
        }
    }
}
