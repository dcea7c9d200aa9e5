//! The GitBook dialect and real repository quirks (issue 3): blocks, `.gitbook.yaml`,
//! SUMMARY.md as GitBook writes it, front matter, titles, links as real docs write them.

use crate::fixture::{Fixture, strip_tags};

/// One Mattermost-managed integration `x` whose master branch holds `files`.
fn portal(files: &[(&str, &str)], extra: &str) -> Fixture {
    let fx = Fixture::new();
    fx.repo("x", "master").commit("master", files);
    fx.site(&format!(
        "[[integrations]]\nid = \"x\"\nname = \"X Plugin\"\nrepo = \"repos/x\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n{extra}\n"
    ));
    fx
}

fn article(fx: &Fixture, path: &str) -> String {
    let page = fx.output(&format!("integrations/x/latest/{path}"));
    let start = page.find("<article").expect("an article");
    let end = page.find("</article>").expect("end of article");
    page[start..end].to_string()
}

#[test]
fn hints_of_every_style_become_callouts() {
    let mut readme = String::from("# X\n\n");
    for style in ["info", "success", "warning", "danger"] {
        readme.push_str(&format!(
            "{{% hint style=\"{style}\" %}}\nA **{style}** hint.\n{{% endhint %}}\n\n"
        ));
    }
    let fx = portal(&[("docs/README.md", &readme)], "");
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let html = article(&fx, "index.html");
    for style in ["info", "success", "warning", "danger"] {
        assert!(html.contains(&format!("<div class=\"hint hint-{style}\" role=\"note\">\n<p>A <strong>{style}</strong> hint.</p>")), "{html}");
    }
    assert!(!html.contains("{%"));
}

#[test]
fn tabs_show_every_panel_with_its_title_without_javascript() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n{% tabs %}\n{% tab title=\"Cloud\" %}\nUse the **Marketplace**.\n{% endtab %}\n\n{% tab title=\"Self-managed\" %}\n```sh\nmmctl plugin add x.tar.gz\n```\n{% endtab %}\n{% endtabs %}\n",
        )],
        "",
    );
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(html.contains("<div class=\"tabs\">"));
    assert_eq!(html.matches("<section class=\"tab-panel\">").count(), 2);
    assert!(html.contains(">Cloud</p>") && html.contains(">Self-managed</p>"));
    assert!(html.contains("<strong>Marketplace</strong>"));
    assert!(html.contains("<code class=\"language-sh\">"));
}

#[test]
fn code_blocks_get_titles_line_numbers_and_wrapping() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n{% code title=\"server/plugin.go\" lineNumbers=\"true\" overflow=\"wrap\" %}\n```go\npackage main\n\nfunc main() {}\n```\n{% endcode %}\n",
        )],
        "",
    );
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(
        html.contains(
            "<figure class=\"code-block code-wrap\"><figcaption class=\"code-bar\"><span class=\"code-title\">server/plugin.go</span><span class=\"code-lang\" aria-hidden=\"true\">go</span></figcaption>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<pre class=\"code-gutter\" aria-hidden=\"true\">1\n2\n3</pre>"),
        "{html}"
    );
    assert!(html.contains("<code class=\"language-go\"><span class=\"hl-"));
}

#[test]
fn embeds_are_link_cards_unless_the_site_allows_players() {
    let text = "# X\n\n{% embed url=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\" %}\nSetting up the plugin\n{% endembed %}\n";
    let fx = portal(&[("docs/README.md", text)], "");
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(html.contains("<a class=\"embed-card\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"><span class=\"embed-host\">youtube.com</span>"), "{html}");
    assert!(html.contains("Setting up the plugin"));
    assert!(
        !html.contains("<iframe"),
        "no third-party frame unless allowed"
    );

    let fx = portal(&[("docs/README.md", text)], "");
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace(
            "description = \"Tests\"",
            "description = \"Tests\"\nallow_embeds = true",
        ),
    );
    fx.build_ok(&[]);
    assert!(article(&fx, "index.html").contains(
        "<iframe class=\"embed-frame\" src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""
    ));
}

#[test]
fn content_refs_are_cards_titled_after_the_page_they_reference() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n{% content-ref url=\"setup/\" %}\n[setup](setup/)\n{% endcontent-ref %}\n",
            ),
            (
                "docs/setup/README.md",
                "---\ndescription: How to install\n---\n\n# Installing X\n",
            ),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let html = article(&fx, "index.html");
    assert!(html.contains("<div class=\"content-ref\"><a href=\"setup/index.html\"><span class=\"content-ref-title\">Installing X</span></a></div>"), "{html}");
}

#[test]
fn files_are_download_links_with_their_size() {
    let sheet = "x".repeat(2048);
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n{% file src=\".gitbook/assets/Config Sheet (1).csv\" %}\nAll settings\n{% endfile %}\n",
            ),
            ("docs/.gitbook/assets/Config Sheet (1).csv", &sheet),
        ],
        "",
    );
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(
        html.contains("<div class=\"file-download\"><a href=\"_gitbook/assets/Config%20Sheet%20%281%29.csv\" download>Config Sheet (1).csv</a> <span class=\"file-size\">2.0 KB</span> <span class=\"file-caption\">All settings</span></div>"),
        "{html}"
    );
    assert_eq!(
        fx.output("integrations/x/latest/_gitbook/assets/Config Sheet (1).csv"),
        sheet
    );
}

#[test]
fn includes_are_inlined_relative_to_the_page_and_cycles_are_reported() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n{% include \"../.gitbook/includes/support.md\" %}\n",
            ),
            (
                "docs/setup/install.md",
                "# Install\n\nline 3\n{% include \"../../.gitbook/includes/loop.md\" %}\n",
            ),
            (
                ".gitbook/includes/support.md",
                "Ask in **~integrations**. ![logo](docs/logo.png)\n",
            ),
            (
                ".gitbook/includes/loop.md",
                "Looping\n{% include \"../../.gitbook/includes/loop.md\" %}\n",
            ),
            ("docs/logo.png", "png"),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(
        html.contains("Ask in <strong>~integrations</strong>."),
        "{html}"
    );
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/setup/install.md:4: include cycle")),
        "{warnings:?}"
    );
    // The included image path was relative to the page, which has no docs/logo.png next to it.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/README.md:3: missing image \"docs/logo.png\"")),
        "{warnings:?}"
    );
}

#[test]
fn swagger_blocks_read_as_an_api_reference() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n{% swagger method=\"get\" path=\"/plugins/x/api/v1/status\" baseUrl=\"https://your-mattermost-url\" summary=\"Plugin status\" %}\n{% swagger-description %}\nReturns whether the plugin is connected.\n{% endswagger-description %}\n\n{% swagger-parameter in=\"header\" name=\"Mattermost-User-Id\" type=\"string\" required=\"true\" %}\nThe user.\n{% endswagger-parameter %}\n\n{% swagger-response status=\"200: OK\" description=\"Connected\" %}\n```json\n{\"connected\": true}\n```\n{% endswagger-response %}\n{% endswagger %}\n",
        )],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let text = strip_tags(&article(&fx, "index.html"));
    for expected in [
        "GET https://your-mattermost-url/plugins/x/api/v1/status",
        "Plugin status",
        "Mattermost-User-Id in header · string · required",
        "200: OK Connected",
        "&quot;connected&quot;",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
}

#[test]
fn unknown_blocks_warn_with_file_and_line_and_keep_their_text() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n{% openapi src=\"spec.yaml\" %}\nThe inner text.\n{% endopenapi %}\n",
        )],
        "",
    );
    let run = fx.build_ok(&[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("docs/README.md:3") && warnings[0].contains("openapi"),
        "{}",
        warnings[0]
    );
    let html = article(&fx, "index.html");
    assert!(html.contains("The inner text.") && !html.contains("{%"));
}

#[test]
fn gitbook_yaml_structure_and_redirects_are_honoured() {
    let fx = portal(
        &[
            (
                ".gitbook.yaml",
                "root: ./documentation/\nstructure:\n  readme: intro.md\n  summary: toc.md\nredirects:\n  old/setup: setup.md\n  gone: missing.md\n",
            ),
            ("documentation/intro.md", "# Introduction\n"),
            (
                "documentation/toc.md",
                "* [Intro](intro.md)\n* [Setup](setup.md)\n",
            ),
            ("documentation/setup.md", "# Setup\n"),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(
        fx.output("integrations/x/latest/index.html")
            .contains("Introduction")
    );
    let redirect = fx.output("integrations/x/latest/old/setup.html");
    assert!(redirect.contains("url=../setup.html"), "{redirect}");
    assert!(fx.has_output("integrations/x/latest/old/setup/index.html"));
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains(".gitbook.yaml") && warnings[0].contains("missing.md"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_gitbook_root_missing_on_a_branch_falls_back() {
    // Jira's default branch still has `root: ./docs/` but moved its docs into readme.md.
    let fx = portal(
        &[
            (".gitbook.yaml", "root: ./docs/\n"),
            ("readme.md", "# X\n\n[usage](usage.md)\n"),
            ("usage.md", "# Usage\n"),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(fx.has_output("integrations/x/latest/usage.html"));
}

#[test]
fn summary_as_gitbook_writes_it() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n[hidden](unlisted.md) [old summary](SUMMARY2.md)\n",
            ),
            (
                "docs/SUMMARY.md",
                "# Summary\n\n* [Overview](README.md)\n* [Configuring the plugin](setup.md \"Configuration\")\n  * [Setup details](setup/README.md)\n\n## Help\n\n* [FAQ](faq.md)\n",
            ),
            ("docs/setup.md", "# Configuring\n"),
            ("docs/setup/README.md", "# Setup details\n"),
            ("docs/faq.md", "# FAQ\n"),
            ("docs/unlisted.md", "# Unlisted\n"),
            ("docs/SUMMARY2.md", "* [Old](README.md)\n"),
            ("docs/SUMMARY3.md", "* [Older](README.md)\n"),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    // A page and a folder of the same name are both published.
    assert!(
        fx.has_output("integrations/x/latest/setup.html")
            && fx.has_output("integrations/x/latest/setup/index.html")
    );
    // Pages SUMMARY.md does not list are rendered but not in the navigation.
    let unlisted = fx.output("integrations/x/latest/unlisted.html");
    let nav = strip_tags(
        &unlisted
            [unlisted.find("<nav class=\"sidebar\"").unwrap()..unlisted.find("<main").unwrap()],
    );
    assert_eq!(
        nav.split_whitespace().collect::<Vec<_>>().join(" "),
        "Overview Configuration Setup details Help FAQ"
    );
    // Stray SUMMARY files are published only when linked.
    assert!(fx.has_output("integrations/x/latest/SUMMARY2.html"));
    assert!(!fx.has_output("integrations/x/latest/SUMMARY3.html"));
}

#[test]
fn front_matter_gives_subtitle_and_meta_description() {
    let fx = portal(
        &[(
            "docs/README.md",
            "---\ndescription: Connect X to Mattermost in five minutes.\n---\n\n# X\n",
        )],
        "",
    );
    fx.build_ok(&[]);
    let page = fx.output("integrations/x/latest/index.html");
    assert!(page.contains(
        "<meta name=\"description\" content=\"Connect X to Mattermost in five minutes.\">"
    ));
    assert!(page.contains("<p class=\"subtitle\">Connect X to Mattermost in five minutes.</p>"));
    assert!(!article(&fx, "index.html").contains("description:"));
}

#[test]
fn a_landing_page_opening_with_a_disclaimer_is_titled_after_the_integration() {
    let fx = portal(
        &[(
            "README.md",
            "# Disclaimer\n\nCommunity supported.\n\n# X Plugin for Mattermost\n",
        )],
        "",
    );
    fx.build_ok(&[]);
    let page = fx.output("integrations/x/latest/index.html");
    assert!(
        page.contains("<title>X Plugin · X Plugin latest ·"),
        "{}",
        &page[..400]
    );
}

#[test]
fn links_as_real_docs_write_them() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n\
                 [extensionless](setup/configuration) [folder](setup/) [readme](setup/readme.md) [README](setup/README.md)\n\
                 [encoded](my%20page.md) [angle](<my page.md>) [anchor](#usage) [legacy](https://mattermost.gitbook.io/plugin-x/setup/configuration#webhooks)\n\
                 [license](../LICENSE) [source](../server/plugin.go) <a href=\"setup/configuration.md\">raw</a> <img src=\".gitbook/assets/image (1).png\" width=\"300\">\n\n\
                 ## Usage\n",
            ),
            ("docs/setup/Readme.md", "# Setup\n"),
            (
                "docs/setup/configuration.md",
                "# Configuration\n\n## Webhooks\n",
            ),
            ("docs/my page.md", "# Spaced\n"),
            ("docs/.gitbook/assets/image (1).png", "png"),
            ("LICENSE", "Apache"),
            ("server/plugin.go", "package main"),
        ],
        "web_url = \"https://github.com/example/x\"\nlegacy_urls = [\"https://mattermost.gitbook.io/plugin-x\"]",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let html = article(&fx, "index.html");
    for expected in [
        "href=\"setup/configuration.html\">extensionless",
        "href=\"setup/index.html\">folder",
        "href=\"setup/index.html\">readme",
        "href=\"setup/index.html\">README",
        "href=\"my%20page.html\">encoded",
        "href=\"my%20page.html\">angle",
        "href=\"#usage\">anchor",
        "href=\"setup/configuration.html#webhooks\">legacy",
        "href=\"https://github.com/example/x/blob/master/LICENSE\">license",
        "href=\"https://github.com/example/x/blob/master/server/plugin.go\">source",
        "<a href=\"setup/configuration.html\">raw</a>",
        "<img src=\"_gitbook/assets/image%20%281%29.png\" width=\"300\" loading=\"lazy\" decoding=\"async\">",
    ] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
}

#[test]
fn files_outside_the_docs_are_copied_when_the_repository_has_no_web_view() {
    let fx = portal(
        &[
            ("docs/README.md", "# X\n\n[license](../LICENSE)\n"),
            ("LICENSE", "Apache"),
        ],
        "",
    );
    fx.build_ok(&[]);
    assert!(article(&fx, "index.html").contains("href=\"_repo/LICENSE\""));
    assert_eq!(fx.output("integrations/x/latest/_repo/LICENSE"), "Apache");
}

#[test]
fn broken_links_suggest_the_closest_page() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n[typo](setup/configuraton.md) [renamed](admininstrator-guide/permissions.md) [nothing](zzz/qqq.md)\n",
            ),
            ("docs/setup/configuration.md", "# Configuration\n"),
            ("docs/administrator-guide/permissions.md", "# Permissions\n"),
        ],
        "",
    );
    let run = fx.run(&["build", "--strict"]);
    assert_eq!(run.code, 1);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 3, "{}", run.stderr);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"setup/configuraton.md\"")
                && w.contains("did you mean setup/configuration.md?")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("did you mean administrator-guide/permissions.md?")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"zzz/qqq.md\"") && !w.contains("did you mean")),
        "{warnings:?}"
    );
    assert!(run.stderr.contains("3 broken link(s)"), "{}", run.stderr);
}

#[test]
fn gitbook_era_html_looks_right_and_placeholders_stay_visible() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\nRun `/jira assign <issue-key> <assignee>` or /jira assign <issue-key> <assignee>.\n\nhttps://<your-mattermost-url>/plugins/x&#x20;done\n\n<details>\n<summary>More</summary>\n\nHidden **markdown**.\n\n</details>\n\n<figure><img src=\".gitbook/assets/a.png\" alt=\"Shot\"><figcaption><p>A <mark>caption</mark></p></figcaption></figure>\n",
            ),
            ("docs/.gitbook/assets/a.png", "png"),
        ],
        "",
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let html = article(&fx, "index.html");
    assert!(
        html.contains("/jira assign &lt;issue-key> &lt;assignee>."),
        "{html}"
    );
    assert!(
        html.contains("https://&lt;your-mattermost-url>/plugins/x done"),
        "{html}"
    );
    assert!(html.contains("<details>\n<summary>More</summary>"));
    assert!(html.contains("<strong>markdown</strong>"));
    assert!(html.contains("<figure><img src=\"_gitbook/assets/a.png\" alt=\"Shot\" loading=\"lazy\" decoding=\"async\"><figcaption><p>A <mark>caption</mark></p></figcaption></figure>"), "{html}");
}

#[test]
fn a_readme_s_links_to_code_go_to_the_repository_and_its_media_are_copied() {
    let fx = portal(
        &[
            (
                "README.md",
                "# X\n\n[license](LICENSE) [build](Makefile) [diagram](docs/flow.png) [sheet](docs/settings.pdf)\n",
            ),
            ("LICENSE", "Apache"),
            ("Makefile", "all:"),
            ("docs/flow.png", "png"),
            ("docs/settings.pdf", "pdf"),
        ],
        "web_url = \"https://github.com/example/x\"",
    );
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert!(
        html.contains("href=\"https://github.com/example/x/blob/master/LICENSE\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://github.com/example/x/blob/master/Makefile\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"docs/flow.png\"") && html.contains("href=\"docs/settings.pdf\""),
        "{html}"
    );
    assert!(!fx.has_output("integrations/x/latest/LICENSE"));
    assert!(fx.has_output("integrations/x/latest/docs/settings.pdf"));
}

#[test]
fn gitbook_s_own_block_bodies_are_not_repeated() {
    let fx = portal(
        &[
            (
                "docs/README.md",
                "# X\n\n{% content-ref url=\"setup.md\" %}\n[setup.md](setup.md)\n{% endcontent-ref %}\n\n{% embed url=\"https://example.com/tour\" %}\nA guided tour\n{% endembed %}\n",
            ),
            ("docs/setup.md", "# Setup\n"),
        ],
        "",
    );
    fx.build_ok(&[]);
    let html = article(&fx, "index.html");
    assert_eq!(html.matches("href=\"setup.html\"").count(), 1, "{html}");
    assert_eq!(html.matches("A guided tour").count(), 1, "{html}");
    assert!(html.contains("<span class=\"embed-title\">A guided tour</span>"));
}

#[test]
fn stray_and_unclosed_blocks_cannot_break_the_page_layout() {
    let fx = portal(
        &[(
            "docs/README.md",
            "# X\n\n{% endhint %}\n\n{% hint style=\"info\" %}\nNever closed.\n",
        )],
        "",
    );
    let run = fx.build_ok(&[]);
    assert_eq!(run.warnings().len(), 2, "{}", run.stderr);
    let page = fx.output("integrations/x/latest/index.html");
    // The theme's layout is intact: the table of contents and footer follow the article.
    let article_end = page.find("</article>").unwrap();
    assert!(page[article_end..].contains("class=\"prev-next\""));
    assert_eq!(
        article(&fx, "index.html").matches("<div").count(),
        article(&fx, "index.html").matches("</div>").count()
    );
}
