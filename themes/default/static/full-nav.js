// The whole navigation of a version too large for every page to carry it (portico.js loads
// this module only there). The page's sidebar holds the part around the page and a link to
// the version's list of all pages; that page's tree (same origin, cached by the browser)
// replaces the part, with this page marked and its sections open. Where the list cannot be
// fetched, the part and the link stay.

/** Where `href` leads, as a page: `a/index.html` and `a/` are the same page. */
function pageKey(href) {
  const url = new URL(href, location.href);
  return url.origin + url.pathname.replace(/index\.html$/, "");
}

/**
 * Swaps the tree of the list of all pages at `listUrl` (relative to this page) into
 * `sidebar`, then lets `enhance(sidebar)` add the section buttons and scroll to this page.
 */
export async function start(sidebar, listUrl, enhance) {
  const source = new URL(listUrl, location.href);
  const response = await fetch(source.href);
  if (!response.ok) return;
  const list = new DOMParser().parseFromString(await response.text(), "text/html");
  const tree = list.querySelector(".contents-tree");
  if (!tree) return;
  const here = pageKey(location.href);
  for (const link of tree.querySelectorAll("a[href]")) {
    // The list's links are relative to the list.
    link.setAttribute("href", new URL(link.getAttribute("href"), source).href);
    if (pageKey(link.href) !== here) continue;
    link.setAttribute("aria-current", "page");
    link.parentElement.classList.add("active");
    for (let item = link.parentElement; item; item = item.parentElement.closest("li")) {
      item.classList.add("open");
    }
  }
  const focused = sidebar.contains(document.activeElement) ? document.activeElement : null;
  const part = sidebar.querySelectorAll(":scope > .nav-group");
  const before = part.length ? part[0] : sidebar.firstChild;
  for (const group of tree.querySelectorAll(":scope > .nav-group")) {
    sidebar.insertBefore(document.importNode(group, true), before);
  }
  for (const group of part) group.remove();
  sidebar.classList.add("nav-full");
  enhance(sidebar);
  // Keyboard focus stays on the same link when it was in the part.
  if (focused && !sidebar.contains(focused)) {
    const again = focused.href && sidebar.querySelector(`a[href="${CSS.escape(focused.href)}"]`);
    (again || sidebar.querySelector('[aria-current="page"]'))?.focus();
  }
}
