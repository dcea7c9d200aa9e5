// Portico's deployment choice (issue 14), loaded by portico.js once a reader of an integration
// available on Cloud and self-managed picks one (or anew when they change it). `apply(choice)`
// collapses each `.deployment-section` for the other deployment to its label and a "show"
// button, tags the links to its pages (sidebar, previous/next) and notes on top of such a page
// that it is for the other deployment; "both" undoes all of it. It returns the tagging, for a
// sidebar swapped in later (full-nav.js). Nothing here hides anything without this script.
const NAMES = { cloud: "Cloud", "self-managed": "Self-managed" };
// Its styles, only for the pages where a choice was made (the page weight stays low).
document.head.append(Object.assign(document.createElement("link"), {
  rel: "stylesheet",
  href: new URL("deployments.css", import.meta.url).href,
}));
let sections = 0;

const namesOf = (values) => values.split(" ").map((v) => NAMES[v] || v).join(", ");
const forOther = (choice, values) => choice !== "both" && !!values && !values.split(" ").includes(choice);

/** Gives a section its "show" toggle and its content one element that `hidden` can take. */
function prepare(section, label) {
  const body = document.createElement("div");
  body.className = "deployment-body";
  body.id = `deployment-body-${sections++}`;
  while (label.nextSibling) body.append(label.nextSibling);
  section.append(body);
  const toggle = document.createElement("span");
  toggle.className = "deployment-toggle";
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-controls", body.id);
  button.addEventListener("click", () => show(body, body.hidden));
  toggle.append(" — ", button);
  label.append(toggle);
  return body;
}

/** Shows or hides a section's content, saying so on its button. */
function show(body, shown) {
  body.hidden = !shown;
  const button = body.parentNode.querySelector(":scope > .deployment-label button");
  if (!button) return;
  const word = shown ? "hide" : "show";
  const which = NAMES[body.parentNode.getAttribute("data-deployment")] || "";
  button.textContent = word;
  button.setAttribute("aria-label", `${word} ${which} section`.replace("  ", " "));
  button.setAttribute("aria-expanded", String(shown));
}

/** A link to a heading inside a collapsed section opens that section and goes there. */
function reveal(hash) {
  const id = decodeURIComponent((hash || "").slice(1));
  const target = id && document.getElementById(id);
  const body = target && target.closest(".deployment-body[hidden]");
  if (!body) return;
  show(body, true);
  target.scrollIntoView();
}
addEventListener("hashchange", () => reveal(location.hash));
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#"]');
  if (link) reveal(link.getAttribute("href"));
});

function collapse(choice) {
  for (const section of document.querySelectorAll(".deployment-section")) {
    const label = section.querySelector(":scope > .deployment-label");
    if (!label) continue;
    const body = section.querySelector(":scope > .deployment-body") || prepare(section, label);
    const off = forOther(choice, section.getAttribute("data-deployment"));
    const button = label.querySelector(".deployment-toggle button");
    section.classList.toggle("deployment-collapsed", off);
    button.parentNode.hidden = !off;
    show(body, !off);
  }
}

function notice(choice) {
  const page = document.querySelector("#content [data-deployments]");
  let note = document.querySelector(".deployment-notice");
  const values = page && page.getAttribute("data-deployments");
  if (!forOther(choice, values)) return note?.remove();
  if (!note) {
    note = document.createElement("p");
    note.className = "deployment-notice";
    page.before(note);
  }
  note.textContent = `This page is for ${namesOf(values)} only; you chose ${NAMES[choice]}.`;
}

export function apply(choice) {
  collapse(choice);
  notice(choice);
  reveal(location.hash);
  const mark = (scope) => {
    for (const link of scope.querySelectorAll("a[data-deployment]")) {
      const values = link.getAttribute("data-deployment");
      const off = forOther(choice, values);
      const tag = link.querySelector(".deployment-tag");
      link.classList.toggle("deployment-elsewhere", off);
      if (!off) tag?.remove();
      else if (!tag) {
        const added = document.createElement("span");
        added.className = "deployment-tag";
        added.textContent = namesOf(values);
        link.append(added);
      }
    }
  };
  mark(document);
  // Said on the page once done, for whoever waits for it (the browser tests).
  document.documentElement.setAttribute("data-deployment-applied", choice);
  return mark;
}
