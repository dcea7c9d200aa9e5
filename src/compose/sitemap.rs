//! `sitemap.xml` (every page's canonical address, with the day the page there last
//! changed in git) and `robots.txt`.

use std::collections::BTreeMap;

use super::Inputs;
use crate::catalog::{INTEGRATIONS_DIR, canonical_site_path, format_date};
use crate::escape;

pub(super) fn sitemap(inputs: &Inputs) -> String {
    let base = &inputs.config.site.base_url;
    let catalog = inputs.catalog;
    // Each canonical address, with the day the page published there last changed.
    let mut urls: BTreeMap<String, Option<String>> = BTreeMap::new();
    urls.insert(base.join(&format!("{INTEGRATIONS_DIR}/")), None);
    for page in &catalog.pages {
        let lastmod = (canonical_site_path(&page.public_path) == page.canonical)
            .then_some(page.last_updated)
            .flatten()
            .map(format_date);
        let entry = urls.entry(base.join(&page.canonical)).or_default();
        if entry.is_none() {
            *entry = lastmod;
        }
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape::escape_html(&url));
        xml.push_str("</loc>");
        if let Some(day) = lastmod {
            xml.push_str(&format!("<lastmod>{day}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything may be crawled; the sitemap is named when the address is known.
pub(super) fn robots(inputs: &Inputs) -> String {
    let base = &inputs.config.site.base_url;
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if base.has_host() {
        text.push_str(&format!("Sitemap: {}\n", base.join("sitemap.xml")));
    }
    text
}
