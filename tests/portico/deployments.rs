//! Cloud and self-managed docs from one source (issue 14): front matter `deployments:` marks
//! a page, `{% deployment "…" %}` marks a section; the HTML contract the reader's control
//! reads (labels, wrappers, `data-deployment(s)` on the article, links and `<body>`);
//! warnings for unknown values, values outside the integration's deployments and
//! unbalanced blocks; the integrations listing; the install hint; the demo.

use crate::fixture::{Fixture, strip_tags};

const SUMMARY: &str = "# Summary\n\n* [X](README.md)\n* [Setup](setup.md)\n* [Upload](upload.md)\n";

/// One integration `x` (community-managed when `community`) available on `deployments`,
/// whose master branch holds `files`.
fn portal(files: &[(&str, &str)], deployments: &str, community: bool) -> Fixture {
    let fx = Fixture::new();
    fx.repo("x", "master").commit("master", files);
    let managed_by = if community { "community" } else { "mattermost" };
    fx.site(&format!(
        "[[integrations]]\nid = \"x\"\nname = \"X Plugin\"\nrepo = \"repos/x\"\nmanaged_by = \"{managed_by}\"\ndeployments = {deployments}\n"
    ));
    fx
}

const BOTH: &str = "[\"cloud\", \"self-managed\"]";

fn marked_docs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("docs/SUMMARY.md", SUMMARY),
        (
            "docs/README.md",
            "# X\n\nIntro.\n\n{% deployment \"cloud\" %}\nOn **Cloud** it is pre-installed.\n\n{% hint style=\"info\" %}\nNothing to do.\n{% endhint %}\n{% enddeployment %}\n\n{% deployment \"self-managed\" %}\nUpload it in the System Console.\n{% enddeployment %}\n\n```md\n{% deployment \"cloud\" %}\n```\n",
        ),
        (
            "docs/setup.md",
            "---\ntitle: Setup\ndeployments: [cloud]\n---\n# Setup\n\nConnect.\n",
        ),
        (
            "docs/upload.md",
            "---\ndeployments: [self-managed]\n---\n# Upload\n\nUpload.\n",
        ),
    ]
}

fn page(fx: &Fixture, path: &str) -> String {
    fx.output(&format!("integrations/x/latest/{path}"))
}

#[test]
fn sections_are_wrapped_and_labelled_and_markers_never_show() {
    for community in [false, true] {
        let fx = portal(&marked_docs(), BOTH, community);
        let run = fx.build_ok(&["--strict"]);
        assert!(run.warnings().is_empty(), "{}", run.stderr);
        let html = page(&fx, "index.html");
        assert!(
            html.contains(concat!(
                "<div class=\"deployment-section\" data-deployment=\"cloud\">\n",
                "<p class=\"deployment-label\">Cloud only</p>\n",
                "<p>On <strong>Cloud</strong> it is pre-installed.</p>"
            )),
            "{html}"
        );
        assert!(html.contains("<div class=\"hint hint-info\" role=\"note\">"));
        assert!(html.contains(
            "<div class=\"deployment-section\" data-deployment=\"self-managed\">\n<p class=\"deployment-label\">Self-managed only</p>"
        ), "{html}");
        let text = strip_tags(&html);
        // Only the code block shows the marker, as the text it is.
        assert_eq!(text.matches("{% deployment").count(), 1, "{text}");
        assert!(!text.contains("enddeployment"));
        assert!(html.contains("data-integration-deployments=\"cloud self-managed\""));
        let versions = fx.output("integrations/x/versions.html");
        assert!(versions.contains("data-integration-deployments=\"cloud self-managed\""));
    }
}

#[test]
fn marked_pages_carry_their_label_and_attributes_and_links_to_them_say_so() {
    let fx = portal(&marked_docs(), BOTH, false);
    fx.build_ok(&[]);
    let setup = page(&fx, "setup.html");
    assert!(
        setup.contains("<article class=\"markdown\" data-deployments=\"cloud\">"),
        "{setup}"
    );
    assert!(setup.contains(
        "<p class=\"deployment-label deployment-page-label\">This page is for Cloud only</p>"
    ));
    let landing = page(&fx, "index.html");
    assert!(!landing.contains("data-deployments="));
    // The sidebar marks each marked page's link; previous/next too.
    assert!(
        landing.contains("href=\"setup.html\" data-deployment=\"cloud\""),
        "{landing}"
    );
    assert!(landing.contains("href=\"upload.html\" data-deployment=\"self-managed\""));
    assert!(
        landing.contains("<a class=\"next\" href=\"setup.html\" data-deployment=\"cloud\">"),
        "{landing}"
    );
    assert!(
        setup.contains("<a class=\"next\" href=\"upload.html\" data-deployment=\"self-managed\">")
    );
    assert!(setup.contains("<a class=\"prev\" href=\"index.html\">"));
}

#[test]
fn unknown_outside_and_unbalanced_markings_are_warnings_with_file_and_line() {
    let fx = portal(
        &[
            (
                "docs/SUMMARY.md",
                "# Summary\n\n* [X](README.md)\n* [Setup](setup.md)\n",
            ),
            (
                "docs/README.md",
                "# X\n\n{% deployment \"moon\" %}\nA.\n{% enddeployment %}\n\n{% deployment \"self-managed\" %}\nB.\n{% enddeployment %}\n\n{% deployment \"cloud\" %}\nC.\n",
            ),
            (
                "docs/setup.md",
                "---\ntitle: Setup\ndeployments: [self-managed, mars]\n---\n# Setup\n\n{% enddeployment %}\n",
            ),
        ],
        "[\"cloud\"]",
        true,
    );
    let run = fx.build_ok(&[]);
    let warnings = run.warnings().join("\n");
    let has = |file_line: &str, words: &str| {
        run.warnings()
            .iter()
            .any(|w| w.contains(file_line) && w.contains(words))
    };
    assert!(has("README.md:3", "\"moon\""), "{warnings}");
    assert!(has("README.md:7", "not available on it"), "{warnings}");
    assert!(has("README.md:11", "never closed"), "{warnings}");
    assert!(has("setup.md:3", "\"mars\""), "{warnings}");
    assert!(has("setup.md:3", "not available on it"), "{warnings}");
    assert!(has("setup.md:7", "closes no open"), "{warnings}");
    let text = strip_tags(&page(&fx, "index.html"));
    assert!(!text.contains("{%") && !text.contains("moon"), "{text}");
    // An untrusted page never gets another value into the attribute.
    let html = page(&fx, "index.html");
    assert!(!html.contains("data-deployment=\"moon\""));
    // --strict fails on these warnings.
    assert_eq!(fx.run(&["build", "--strict"]).code, 1);
}

#[test]
fn community_html_cannot_forge_a_deployment_value() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n<div class=\"deployment-section\" data-deployment=\"cloud&quot; onclick=&quot;x\">A</div>\n\n<div data-deployment=\"self-managed\">B</div>\n",
        )],
        BOTH,
        true,
    );
    fx.build_ok(&[]);
    let html = page(&fx, "index.html");
    assert!(!html.contains("onclick"), "{html}");
    assert!(
        html.contains("<div data-deployment=\"self-managed\">B</div>"),
        "{html}"
    );
}

#[test]
fn the_index_and_integrations_json_list_deployment_specific_pages_per_version() {
    let fx = portal(&marked_docs(), BOTH, false);
    fx.build_ok(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&fx.output("integrations.json")).expect("valid JSON");
    let version = &json["integrations"][0]["versions"][0];
    assert_eq!(
        version["deployment_pages"],
        serde_json::json!({"cloud": ["setup.html"], "self-managed": ["upload.html"]})
    );
    let index = strip_tags(&fx.output("integrations/index.html"));
    assert!(
        index.contains("Cloud-only pages: 1 · Self-managed-only pages: 1"),
        "{index}"
    );
    // Nothing marked, nothing listed.
    let plain = portal(&[("docs/README.md", "# X\n\nHello.\n")], BOTH, false);
    plain.build_ok(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&plain.output("integrations.json")).expect("valid JSON");
    assert_eq!(
        json["integrations"][0]["versions"][0]["deployment_pages"],
        serde_json::json!({})
    );
    assert!(
        !plain
            .output("integrations/index.html")
            .contains("-only pages")
    );
}

#[test]
fn an_unmarked_installation_page_gets_a_hint_that_never_fails_the_build() {
    let install = "# X\n\n## Installation\n\nUpload the plugin in the System Console.\n";
    let fx = portal(&[("docs/README.md", install)], BOTH, false);
    let run = fx.run(&["check", "--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(
        run.stderr.lines().any(|line| line.starts_with("hint: ")
            && line.contains("README.md")
            && line.contains("{% deployment \"self-managed\" %}")),
        "{}",
        run.stderr
    );
    let built = fx.build_ok(&["--strict"]);
    assert!(built.stderr.contains("hint: "), "{}", built.stderr);
    // Marked, available on one deployment only, naming Cloud too, or not about installing:
    // no hint.
    let marked = install.replace(
        "Upload the plugin in the System Console.\n",
        "{% deployment \"self-managed\" %}\nUpload the plugin in the System Console.\n{% enddeployment %}\n",
    );
    for (text, deployments) in [
        (marked.as_str(), BOTH),
        (install, "[\"self-managed\"]"),
        (
            "# Install\n\nOn Cloud it is there; elsewhere upload it in the System Console.\n",
            BOTH,
        ),
        ("# X\n\n## Usage\n\nUpload a file.\n", BOTH),
    ] {
        let fx = portal(&[("docs/README.md", text)], deployments, false);
        let run = fx.run(&["check"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.stderr.contains("hint:"), "{text}: {}", run.stderr);
    }
}

#[test]
fn the_demo_shows_cloud_and_self_managed_sections_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tour");
    let run = crate::fixture::run_in(dir.path(), &["demo", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(!run.stderr.contains("hint:"), "{}", run.stderr);
    let setup = std::fs::read_to_string(target.join("public/integrations/zoom/latest/setup.html"))
        .expect("the Zoom sample's setup page");
    for deployment in ["cloud", "self-managed"] {
        assert!(
            setup.contains(&format!(
                "<div class=\"deployment-section\" data-deployment=\"{deployment}\">"
            )),
            "{setup}"
        );
    }
    assert!(setup.contains("data-integration-deployments=\"cloud self-managed\""));
    assert!(!strip_tags(&setup).contains("{%"));
}

#[test]
fn the_contribution_template_marks_its_upload_note_for_the_deployments_chosen() {
    let fx = Fixture::new();
    fx.site("");
    for (id, deployments) in [("both", "cloud,self-managed"), ("cloudy", "cloud")] {
        let mut repo = fx.repo(id, "main");
        repo.commit("main", &[("plugin.json", "{}")]).checkout();
        let repo_path = fx.path(&format!("repos/{id}"));
        let run = fx.run(&[
            "new",
            id,
            "--repo",
            repo_path.to_str().unwrap(),
            "--deployments",
            deployments,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let docs = repo_path.join("docs");
        let pages: Vec<(String, String)> = std::fs::read_dir(&docs)
            .unwrap()
            .map(|entry| {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let text = std::fs::read_to_string(docs.join(&name)).unwrap();
                (format!("docs/{name}"), text)
            })
            .collect();
        let setup = &pages
            .iter()
            .find(|(path, _)| path == "docs/setup.md")
            .unwrap()
            .1;
        // Only a deployment of the integration is marked: no warning in new docs.
        assert_eq!(
            setup.contains("{% deployment \"self-managed\" %}"),
            id == "both",
            "{setup}"
        );
        let files: Vec<(&str, &str)> = pages
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        repo.commit("main", &files);
    }
    let run = fx.build_ok(&["--strict"]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(!run.stderr.contains("hint:"), "{}", run.stderr);
    let setup = fx.output("integrations/both/latest/setup.html");
    assert!(
        setup.contains("data-deployment=\"self-managed\""),
        "{setup}"
    );
}
