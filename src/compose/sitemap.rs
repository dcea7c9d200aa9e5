//! `sitemap.xml` (every page's canonical address) and `robots.txt`.

use std::collections::BTreeSet;

use super::Inputs;
use crate::catalog::INTEGRATIONS_DIR;
use crate::escape;

pub(super) fn sitemap(inputs: &Inputs) -> String {
    let base = &inputs.config.site.base_url;
    let mut urls: BTreeSet<String> = BTreeSet::new();
    urls.insert(base.join(&format!("{INTEGRATIONS_DIR}/")));
    for page_id in 0..inputs.catalog.pages.len() {
        urls.insert(base.join(&inputs.catalog.pages[page_id].canonical));
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape::escape_html(&url));
        xml.push_str("</loc></url>\n");
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
