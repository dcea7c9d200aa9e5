//! Hashes that say when a previous build's output can be reused: the shape of an
//! integration (what each of its versions shows about the others) and the content of one
//! version (its commit, pages, files and redirects).

use super::Catalog;

impl Catalog {
    /// A hash of what the pages of every version of an integration show about the others:
    /// version labels and refs, each version's set of pages and which page of the others
    /// each is (switchers, banners, canonical URLs), the current manifest (names). When it is unchanged, a version whose
    /// own content is unchanged composes to the same bytes.
    pub fn integration_shape(&self, integration: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let integration = &self.integrations[integration];
        (
            &integration.name,
            &integration.description,
            &integration.default_branch,
            integration.default_index,
            &integration.docs_url,
        )
            .hash(&mut hasher);
        for version in &integration.versions {
            (version.label.as_str(), version.origin.ref_name()).hash(&mut hasher);
            for &page in &version.docs.pages {
                self.pages[page].rel_path.hash(&mut hasher);
            }
        }
        // Which page of each version every page is (renames, aliases): switchers, banners
        // and canonical URLs follow it.
        for identity in integration.same_pages.identities() {
            identity.len().hash(&mut hasher);
            for &(version, page) in identity {
                (version, &self.pages[page].rel_path).hash(&mut hasher);
            }
        }
        format!("{:?}", integration.current().manifest).hash(&mut hasher);
        hasher.finish()
    }

    /// A hash of one version's own content: commit, manifest, pages and files with their
    /// blobs (and the pages' dates), redirects.
    pub fn version_content(&self, integration: usize, version: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let version = &self.integrations[integration].versions[version];
        (
            &version.commit,
            version.commit_time,
            format!("{:?}", version.manifest),
        )
            .hash(&mut hasher);
        self.pages[version.landing].rel_path.hash(&mut hasher);
        version.summary.as_ref().map(|s| &s.blob).hash(&mut hasher);
        for &page in &version.docs.pages {
            let page = &self.pages[page];
            (&page.rel_path, &page.source.blob, page.last_updated).hash(&mut hasher);
        }
        for asset in &version.docs.assets {
            (&asset.output_path, &asset.source.blob).hash(&mut hasher);
        }
        version.redirects.hash(&mut hasher);
        hasher.finish()
    }
}
