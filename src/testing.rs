//! The internals the integration tests (`tests/portico`) and the fuzz targets (`fuzz/`)
//! drive directly, re-exported under the paths they have inside the crate
//! (`portico::testing::markdown::convert` is `crate::markdown::convert`). Not part of the
//! public API: hidden from the documentation, and naming each item rather than whole
//! modules, so that the dead-code lint still sees everything else.

pub mod config {
    pub use crate::config::{ManagedBy, load, parse};
}

pub mod demo {
    pub mod git {
        pub use crate::demo::git::{FileSet, RepoWriter, SYMLINK_PREFIX};
    }
}

pub mod markdown {
    pub use crate::markdown::{
        LinkKind, LinkResolver, LinkTarget, RenderContext, Rendered, Resolution, convert,
        references, title_hint,
    };

    pub mod gitbook {
        pub use crate::markdown::gitbook::{NoIncludes, Options, preprocess};
    }
}

pub mod nav {
    pub use crate::nav::{SummaryItem, parse_summary};
}

pub mod paths {
    pub use crate::paths::percent_decode;
}

pub mod serve {
    pub mod http {
        pub use crate::serve::http::{AllowedHosts, Http, Limits, start};
    }
}

pub mod source {
    pub use crate::source::parse_manifest;
}

pub mod site {
    pub use crate::site::{Changes, Site};
    pub use crate::source::ReadOptions;

    /// Every file a site held in memory has, by path.
    pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
        site.files
            .iter()
            .map(|file| (file.path.clone(), file.bytes.to_vec()))
            .collect()
    }
}
