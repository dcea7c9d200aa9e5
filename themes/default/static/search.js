// Portico search, the reader's side: loaded by portico.js on the first use of the header's
// search box, it owns the results panel (an accessible combobox: the input, a listbox of
// results, a scope control, a live region), the queries against the static index under
// `search/` next to this file (format 1: meta.json; dictionaries `d/*.json`, one per
// integration and one of the current versions, each a list of term chunks `t/*.json`; document
// fragments `f/<id>-<part>.json`, a few passages each; all fetched only when a query needs them and kept in memory), the
// scoring, and the snippets. Text from the index (titles, headings, page text) and from the
// query only ever reaches the page as text nodes, never as HTML.
import { fold, queryTerms, tokens } from "./search-text.js";

const INDEX = new URL("search/", import.meta.url);
// Results shown at once (more on demand): each needs the fragment file holding its passage
// (8 passages of at most 600 characters: under 8 KB, about 4 KB on the bench portal).
const PAGE_SIZE = 8;
// The index adds this to a word's weight in the passage holding the page's title.
const TITLE_WEIGHT = 40;
// A query runs once the reader pauses: 100 ms after a lone keystroke (or a paste), and while
// they type a little longer than the time between their keystrokes (at most 400 ms), so
// that the words on the way to the one meant download no chunks or fragments of their own.
const TYPING_PAUSE_MS = 100;
const TYPING_PAUSE_FACTOR = 1.3;
const TYPING_PAUSE_MAX_MS = 400;
// The last word of a query being typed is also taken as a prefix, within at most this many
// term chunks and this many expansions, so a short prefix cannot make a query download much.
const PREFIX_CHUNKS = 2;
const PREFIX_TERMS = 40;
const PREFIX_MORE_BELOW = 5;
const PREFIX_WEIGHT = 0.5;
// Shorter words are looked up whole only (one or two letters begin too many words).
const MIN_PREFIX = 3;
const SNIPPET_CHARS = 180;
// Words of a query beyond this many are ignored (each is a bit in a match mask).
const MAX_WORDS = 12;

// ---------------------------------------------------------------------------------------
// The index: files fetched once per page and kept (failed fetches are forgotten, so they may
// be retried by a later query).

const files = new Map();

function fetchJson(relative, options) {
  let pending = files.get(relative);
  if (!pending) {
    pending = fetch(new URL(relative, INDEX), options).then((response) => {
      if (!response.ok) throw new Error(`${relative}: HTTP ${response.status}`);
      return response.json();
    });
    pending.catch(() => files.delete(relative));
    files.set(relative, pending);
  }
  return pending;
}

/** meta.json, checked for the format this code reads. */
function loadMeta() {
  return fetchJson("meta.json", { cache: "no-cache" }).then((meta) => {
    if (!meta || meta.format !== 1 || !Array.isArray(meta.groups) || typeof meta.current !== "string") {
      throw new Error("unknown search index format");
    }
    return meta;
  });
}

/** A dictionary: its chunks as [first term, chunk name], ascending. */
function loadDictionary(name) {
  return fetchJson(`d/${name}.json`).then((list) => {
    if (!Array.isArray(list) || !list.every((entry) => Array.isArray(entry) && typeof entry[0] === "string")) {
      throw new Error("bad dictionary");
    }
    return list;
  });
}

/** Index of the chunk that would hold `term`: the last one whose first term is <= term. */
function chunkIndex(dictionary, term) {
  let low = 0;
  let high = dictionary.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (dictionary[middle][0] <= term) low = middle;
    else high = middle - 1;
  }
  return low;
}

function loadChunk(dictionary, index) {
  const entry = dictionary[index];
  if (!entry) return Promise.resolve([]);
  return fetchJson(`t/${entry[1]}.json`).then((chunk) => (Array.isArray(chunk) ? chunk : []));
}

/** Position of the first entry of a sorted chunk whose term is >= term. */
function lowerBound(chunk, term) {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (chunk[middle][0] < term) low = middle + 1;
    else high = middle;
  }
  return low;
}

async function exactTerm(dictionary, term) {
  const chunk = await loadChunk(dictionary, chunkIndex(dictionary, term));
  const at = lowerBound(chunk, term);
  return chunk[at] && chunk[at][0] === term ? [chunk[at]] : [];
}

/**
 * The dictionary entries starting with `prefix`, shortest first, bounded: within at most
 * `chunks` chunks, the next one only while few words were found.
 */
async function prefixTerms(dictionary, prefix, chunks) {
  const found = [];
  let index = chunkIndex(dictionary, prefix);
  for (let loaded = 0; loaded < chunks && index < dictionary.length; loaded++, index++) {
    if (loaded > 0 && (found.length >= PREFIX_MORE_BELOW || !dictionary[index][0].startsWith(prefix))) break;
    const chunk = await loadChunk(dictionary, index);
    let at = lowerBound(chunk, prefix);
    while (at < chunk.length && chunk[at][0].startsWith(prefix)) found.push(chunk[at++]);
    if (at < chunk.length) break;
  }
  found.sort((a, b) => a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1));
  return found.slice(0, PREFIX_TERMS);
}

// Postings: base64url digits; a digit below 32 ends a number, others carry 5 bits and go on.
const DIGIT_VALUES = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  .split("")
  .forEach((digit, value) => { DIGIT_VALUES[digit.charCodeAt(0)] = value; });

function numbers(text) {
  const out = [];
  let number = 0;
  let scale = 1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? DIGIT_VALUES[code] : -1;
    if (digit < 0) throw new Error("bad postings");
    if (digit < 32) {
      out.push(number + digit * scale);
      number = 0;
      scale = 1;
    } else {
      number += (digit - 32) * scale;
      scale *= 32;
    }
  }
  return out;
}

// By dictionary entry: the same term has other postings in another dictionary.
const decoded = new WeakMap();

/**
 * A term's postings: per document (ascending id), the versions holding it (local indexes)
 * and its sections as a flat [section, weight, section, weight, …] list.
 */
function postings(entry) {
  let list = decoded.get(entry);
  if (list) return list;
  list = [];
  const values = numbers(String(entry[1]));
  let at = 0;
  const next = () => {
    if (at >= values.length) throw new Error("truncated postings");
    return values[at++];
  };
  let doc = 0;
  while (at < values.length) {
    doc += next();
    const versions = [];
    let end = 0;
    for (let runs = next(); runs > 0; runs--) {
      const start = end + next();
      end = start + next();
      for (let v = start; v < end && versions.length < 4096; v++) versions.push(v);
    }
    const sections = [];
    let section = 0;
    for (let count = next(); count > 0; count--) {
      section += next();
      sections.push(section, next());
    }
    list.push({ doc, versions, sections });
  }
  decoded.set(entry, list);
  return list;
}

/** The fragment file holding a document's passage (its title, addresses and a few passages). */
function fragment(doc, passage, perPart) {
  // Fragments are named by document number, which a rebuild may give to another page:
  // revalidated, unlike the chunks (named by their content).
  return fetchJson(`f/${doc}-${Math.floor(passage / perPart)}.json`, { cache: "no-cache" });
}

// ---------------------------------------------------------------------------------------
// Queries.

/**
 * What a query asks for: its whole terms (`exact`), and the last word as typed so far
 * (`prefixes`, with `lastTerm` its own term, null for a stop word), which also matches the
 * longer words it begins.
 */
function analyse(query) {
  const words = tokens(query);
  let last = words[words.length - 1];
  // A single letter being typed is no word yet: searched for, it would only download the
  // results of every word that letter begins.
  if (last && last.end === query.length && fold(query.slice(last.start, last.end)).length < 2) {
    query = query.slice(0, last.start);
    words.pop();
    last = null;
  }
  const terms = queryTerms(query);
  let prefixes = [];
  let lastTerm = null;
  if (last && last.end === query.length) {
    lastTerm = last.term;
    const typed = fold(query.slice(last.start, last.end));
    prefixes = [...new Set([typed, last.term].filter((p) => p && p.length >= MIN_PREFIX))];
  }
  const exact = terms.filter((term) => term !== lastTerm || prefixes.length === 0).slice(0, MAX_WORDS);
  return { exact, lastTerm: prefixes.length ? lastTerm : null, prefixes };
}

/**
 * One requirement per word: its alternatives ([dictionary entry, weight]) and whether a
 * document must match it. A stop word being typed after other words is optional, so that
 * "configure the" finds what "configure" finds.
 */
async function lookUp(dictionary, wanted) {
  const requirements = await Promise.all(wanted.exact.map(async (term) =>
    ({ alternatives: (await exactTerm(dictionary, term)).map((entry) => [entry, 1]), optional: false })));
  if (wanted.prefixes.length) {
    const alternatives = new Map();
    if (wanted.lastTerm) {
      for (const entry of await exactTerm(dictionary, wanted.lastTerm)) alternatives.set(entry[0], [entry, 1]);
    }
    // A word already in the dictionary is likely complete: its longer words are looked for
    // in its own chunk only (the chunks of common words are the largest).
    const chunks = alternatives.size ? 1 : PREFIX_CHUNKS;
    for (const prefix of wanted.prefixes) {
      for (const entry of await prefixTerms(dictionary, prefix, chunks)) {
        if (!alternatives.has(entry[0])) alternatives.set(entry[0], [entry, PREFIX_WEIGHT]);
      }
    }
    requirements.push({ alternatives: [...alternatives.values()], optional: !wanted.lastTerm && requirements.length > 0 });
  }
  return requirements;
}

/** Every document matching at least one requirement, with its score per section. */
function score(meta, requirements) {
  const total = Math.max(1, Number(meta.docs) || 1);
  const docs = new Map();
  requirements.forEach(({ alternatives }, word) => {
    for (const [entry, weight] of alternatives) {
      const list = postings(entry);
      const idf = Math.log(1 + total / Math.max(1, list.length));
      for (const posting of list) {
        let found = docs.get(posting.doc);
        if (!found) {
          found = { doc: posting.doc, versions: posting.versions, words: 0, sections: new Map() };
          docs.set(posting.doc, found);
        }
        found.words |= 1 << word;
        for (let i = 0; i < posting.sections.length; i += 2) {
          const section = posting.sections[i];
          let perWord = found.sections.get(section);
          if (!perWord) {
            perWord = { value: new Array(requirements.length).fill(0), place: new Array(requirements.length).fill(0) };
            found.sections.set(section, perWord);
          }
          const w = posting.sections[i + 1];
          perWord.value[word] = Math.max(perWord.value[word], weight * idf * w);
          // The title's bonus says what the page is about, not where in it: the passage a
          // result opens at is chosen by headings and text.
          const inPlace = w >= TITLE_WEIGHT ? w - TITLE_WEIGHT : w;
          perWord.place[word] = Math.max(perWord.place[word], weight * idf * inPlace);
        }
      }
    }
  });
  const all = requirements.reduce((bits, requirement, word) => (requirement.optional ? bits : bits | (1 << word)), 0);
  const results = [];
  for (const found of docs.values()) {
    let best = -1;
    let bestPlace = -1;
    let bestScore = 0;
    let sum = 0;
    for (const [section, perWord] of found.sections) {
      const value = perWord.value.reduce((a, b) => a + b, 0);
      const place = perWord.place.reduce((a, b) => a + b, 0);
      sum += value;
      bestScore = Math.max(bestScore, value);
      if (place > bestPlace || (place === bestPlace && section < best)) {
        best = section;
        bestPlace = place;
      }
    }
    results.push({
      doc: found.doc,
      versions: found.versions,
      section: Math.max(0, best),
      complete: (found.words & all) === all,
      matched: popCount(found.words),
      score: bestScore + 0.1 * (sum - bestScore),
    });
  }
  return results;
}

function popCount(bits) {
  let count = 0;
  for (; bits; bits &= bits - 1) count++;
  return count;
}

function groupOf(meta, doc) {
  for (const group of meta.groups) if (doc >= group.first && doc < group.end) return group;
  return null;
}

/** Whether a result is in scope, and which version it is shown as. */
function inScope(scope, result) {
  const group = result.group;
  if (scope.kind === "version") {
    return group === scope.group && result.versions.includes(scope.version) ? scope.version : -1;
  }
  if (scope.kind === "integration") {
    if (group !== scope.group || !result.versions.length) return -1;
    return result.versions.includes(scope.version) ? scope.version : Math.min(...result.versions);
  }
  return result.versions.includes(0) ? 0 : -1;
}

function rank(a, b) {
  return a.otherDeployment - b.otherDeployment || b.matched - a.matched || b.score - a.score || a.doc - b.doc;
}

/**
 * Whether `doc` is a page for another deployment than the one the reader chose in the header
 * (portico.js sets `data-deployment-choice` on <html>): meta.json's optional `deployments`
 * lists, per deployment, the documents marked for it. Such pages rank after the others.
 */
function forOtherDeployment(meta, doc) {
  const choice = document.documentElement.getAttribute("data-deployment-choice");
  if (!meta.deployments || !choice || choice === "both") return 0;
  const marked = Object.keys(meta.deployments).filter((name) => meta.deployments[name].includes(doc));
  return marked.length && !marked.includes(choice) ? 1 : 0;
}

/** The results of `scope`: documents matching every word, else the best partial matches. */
function select(scored, scope, meta) {
  const complete = [];
  const partial = [];
  for (const result of scored) {
    const shownVersion = inScope(scope, result);
    if (shownVersion < 0) continue;
    const otherDeployment = forOtherDeployment(meta, result.doc);
    (result.complete ? complete : partial).push({ ...result, shownVersion, otherDeployment });
  }
  return { complete: complete.sort(rank), partial: partial.sort(rank) };
}

// ---------------------------------------------------------------------------------------
// Snippets.

/** Whether a token of the page text is one the reader searched for. */
function matcher(wanted) {
  const exact = new Set(wanted.exact);
  if (wanted.lastTerm) exact.add(wanted.lastTerm);
  const parts = [...exact].filter((term) => term.length >= 3);
  return (token, text) => {
    if (token.term !== null && exact.has(token.term)) return true;
    const folded = fold(text.slice(token.start, token.end));
    // Stop words are marked only when searched for as such.
    if (token.term === null) return false;
    return wanted.prefixes.some((prefix) => folded.startsWith(prefix) || token.term.startsWith(prefix))
      || parts.some((part) => folded.includes(part));
  };
}

/** Appends `text[start, end)` to `parent`, with the matching tokens `found` in <mark>. */
function appendMarked(parent, text, found, start, end) {
  let at = start;
  for (const token of found) {
    if (token.start < at) continue;
    if (token.end > end) break;
    parent.append(text.slice(at, token.start));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(token.start, token.end);
    parent.append(mark);
    at = token.end;
  }
  parent.append(text.slice(at, end));
}

/** Appends a title or heading to `parent`, its matches in <mark>. */
function appendLine(parent, text, isMatch) {
  appendMarked(parent, text, tokens(text).filter((token) => isMatch(token, text)), 0, text.length);
}

/** Appends to `parent` a window of `text` around its first match, matches in <mark>. */
function appendSnippet(parent, text, isMatch) {
  const found = tokens(text).filter((token) => isMatch(token, text));
  let start = 0;
  if (found.length && found[0].start > SNIPPET_CHARS / 3) {
    start = found[0].start - Math.floor(SNIPPET_CHARS / 3);
    const space = text.indexOf(" ", start);
    if (space >= 0 && space < found[0].start) start = space + 1;
  }
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > start + SNIPPET_CHARS / 2) end = space;
  }
  if (start > 0) parent.append("…");
  appendMarked(parent, text, found, start, end);
  if (end < text.length) parent.append("…");
}

// ---------------------------------------------------------------------------------------
// The box.

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A group's name; the portal's own pages go by the site's title. */
function nameOf(group) {
  if (group.name) return String(group.name);
  const brand = document.querySelector(".brand");
  return (brand && brand.textContent.trim()) || "This site";
}

function labelOf(group, versions) {
  const labels = versions.map((v) => group.versions[v]).filter((label) => label);
  return labels.length ? `${nameOf(group)} ${labels.join(", ")}` : nameOf(group);
}

function listLabels(labels) {
  if (labels.length <= 1) return labels.join("");
  const shown = labels.length > 5 ? [...labels.slice(0, 4), `${labels.length - 4} more`] : labels;
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/** Attaches the search to the header's box (the `.search` element of base.html). */
export function start(box) {
  const input = box.querySelector("input");
  const root = box.getAttribute("data-search-root") || "";
  const here = {
    integration: box.getAttribute("data-integration"),
    version: box.getAttribute("data-version"),
  };

  const panel = element("div", { class: "search-panel", id: "search-panel" });
  panel.hidden = true;
  const controls = element("div", { class: "search-controls" });
  const status = element("p", { class: "search-status", id: "search-status" });
  const offer = element("button", { type: "button", class: "search-offer" });
  offer.hidden = true;
  const list = element("div", { role: "listbox", id: "search-results", class: "search-results", "aria-label": "Search results" });
  const more = element("button", { type: "button", class: "search-more" }, "More results");
  more.hidden = true;
  // Announced, and kept out of the hidden panel so that screen readers always hear it.
  const announcer = element("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  panel.append(controls, status, offer, list, more);
  box.append(panel, announcer);
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-describedby", status.id);

  let scopeSelect = null;
  let scopes = [];
  let meta = null;
  let unavailable = false;
  let generation = 0;
  let timer = 0;
  let shown = [];          // the results of the current answer, in order
  let rendered = 0;        // how many of them are in the listbox
  let active = -1;
  let offeredScope = null;

  const setStatus = (text, announce) => {
    status.textContent = text;
    // The same words again (a new query with as many results) are announced again: a
    // live region speaks on change, so it is emptied first.
    if (announce) {
      announcer.textContent = "";
      requestAnimationFrame(() => { announcer.textContent = text; });
    }
  };

  // Opens only while the reader is in the box: an answer arriving after they left stays shut.
  const open = () => {
    if (!input.value.trim() || !box.contains(document.activeElement)) return;
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const close = () => {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  };

  function setActive(index) {
    const options = list.children;
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = index;
    if (index >= 0 && options[index]) {
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function buildScopes() {
    const group = meta.groups.find((g) => g.id === here.integration && here.integration);
    const all = { kind: "all", label: "all integrations", option: "All integrations (current versions)" };
    if (!group) return [all];
    let version = group.versions.indexOf(here.version);
    if (version < 0) version = 0;
    const thisVersion = { kind: "version", group, version, label: labelOf(group, [version]), option: labelOf(group, [version]) };
    const allVersions = { kind: "integration", group, version, label: `all ${nameOf(group)} versions`, option: `All ${nameOf(group)} versions` };
    return group.versions.length > 1 ? [thisVersion, allVersions, all] : [thisVersion, all];
  }

  function addScopeControl() {
    if (scopes.length < 2) return;
    const label = element("label", { class: "search-scope" }, "Search in ");
    scopeSelect = element("select", { name: "scope" });
    scopes.forEach((scope, index) => scopeSelect.append(element("option", { value: String(index) }, scope.option)));
    label.append(scopeSelect);
    controls.append(label);
    scopeSelect.addEventListener("change", () => {
      search();
    });
  }

  const currentScope = () => scopes[scopeSelect ? Number(scopeSelect.value) || 0 : 0];

  // The panel's styles come with the search code; the panel shows once they are in.
  const sheet = element("link", { rel: "stylesheet", href: new URL("search.css", import.meta.url).href });
  const styled = new Promise((done) => { sheet.onload = sheet.onerror = done; });
  document.head.append(sheet);

  const ready = Promise.all([styled, loadMeta()]).then(([, loaded]) => {
    meta = loaded;
    scopes = buildScopes();
    addScopeControl();
  }, () => {
    unavailable = true;
    input.placeholder = "Search is unavailable here";
    box.classList.add("search-unavailable");
  });

  function clearResults() {
    list.replaceChildren();
    shown = [];
    rendered = 0;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    more.hidden = true;
    offer.hidden = true;
    offeredScope = null;
  }

  /** The final state of one answer: its status line, and the listbox no longer busy. */
  function finish(text) {
    setStatus(text, text !== "");
    list.removeAttribute("aria-busy");
  }

  async function search() {
    const query = input.value;
    const mine = ++generation;
    clearTimeout(timer);
    list.setAttribute("aria-busy", "true");
    if (!query.trim()) {
      clearResults();
      finish("");
      close();
      return;
    }
    await ready;
    if (mine !== generation) return;
    open();
    if (unavailable) {
      clearResults();
      finish("Search is unavailable here: its index could not be loaded.");
      return;
    }
    const wanted = analyse(query);
    if (!wanted.exact.length && !wanted.prefixes.length) {
      clearResults();
      finish("Type a word to search.");
      return;
    }
    let answer;
    try {
      // A group's dictionary holds all its versions; "all integrations" has its own.
      const scope = currentScope();
      const dictionary = await loadDictionary(scope.kind === "all" ? meta.current : scope.group.dictionary);
      if (mine !== generation) return;
      const requirements = await lookUp(dictionary, wanted);
      if (mine !== generation) return;
      const scored = score(meta, requirements);
      for (const result of scored) result.group = groupOf(meta, result.doc);
      answer = answerFor(scored, wanted);
    } catch (error) {
      if (mine !== generation) return;
      clearResults();
      finish("Search is unavailable here: its index could not be read.");
      return;
    }
    clearResults();
    shown = answer.results;
    await renderMore(mine, wanted);
    if (mine !== generation) return;
    finish(answer.message);
    if (answer.offer) {
      offeredScope = answer.offer.scope;
      offer.textContent = `Show the results in ${listLabels(answer.offer.labels)}`;
      offer.hidden = false;
    }
  }

  /** The results to show for the current scope, the status line, and any offer. */
  function answerFor(scored, wanted) {
    const scope = currentScope();
    const { complete, partial } = select(scored, scope, meta);
    const count = (n) => (n === 1 ? "1 result" : `${n} results`);
    if (complete.length) return { results: complete, message: `${count(complete.length)} in ${scope.label}` };
    if (scope.kind === "version") {
      const wider = scopes.find((s) => s.kind === "integration");
      const elsewhere = wider ? select(scored, wider, meta).complete : [];
      if (elsewhere.length) {
        const versions = [...new Set(elsewhere.flatMap((r) => r.versions))].filter((v) => v !== scope.version).sort((a, b) => a - b);
        const labels = versions.map((v) => scope.group.versions[v]).filter(Boolean);
        return {
          results: [],
          message: `Not in ${scope.label} — found in ${listLabels(labels)}`,
          offer: { scope: wider, labels },
        };
      }
    }
    if (partial.length && wanted.exact.length + (wanted.prefixes.length ? 1 : 0) > 1) {
      return { results: partial, message: `No page has all these words in ${scope.label}; ${count(partial.length)} with some of them` };
    }
    return { results: [], message: `No results in ${scope.label}` };
  }

  /** Fetches the fragments of the next page of results and adds their options. */
  async function renderMore(mine, wanted) {
    const page = shown.slice(rendered, rendered + PAGE_SIZE);
    const perPart = Math.max(1, Number(meta.passages_per_part) || 1);
    const fragments = await Promise.allSettled(page.map((result) => fragment(result.doc, result.section, perPart)));
    if (mine !== generation) return false;
    const isMatch = matcher(wanted);
    const scope = currentScope();
    page.forEach((result, i) => {
      const index = rendered + i;
      const option = element("div", { role: "option", id: `search-option-${index}`, class: "search-result", "aria-selected": "false" });
      const loaded = fragments[i].status === "fulfilled" ? fragments[i].value : null;
      const data = loaded && typeof loaded === "object" ? loaded : {};
      const sections = Array.isArray(data.sections) ? data.sections : [];
      const passage = (at) => (Array.isArray(sections[at]) ? sections[at] : ["", "", ""]);
      const section = passage(result.section % perPart);
      // A match in a title or a heading alone has no text of its own: the snippet is the
      // text that follows, in the same part.
      let text = String(section[2] || "");
      for (let at = (result.section % perPart) + 1; !text && at < sections.length; at++) text = String(passage(at)[2] || "");
      const urls = data.urls && typeof data.urls === "object" ? data.urls : {};
      const url = urls[String(result.shownVersion)] || urls[String(Math.min(...result.versions))] || "";
      const anchor = String(section[1] || "");
      option.dataset.href = url ? root + url + (anchor ? "#" + encodeURIComponent(anchor) : "") : "";
      const top = element("span", { class: "search-result-top" });
      const title = element("span", { class: "search-result-title" });
      appendLine(title, String(data.title || "Untitled page"), isMatch);
      top.append(title);
      const versions = scope.kind === "integration" ? result.versions : [result.shownVersion];
      top.append(element("span", { class: "search-result-where" }, result.group ? labelOf(result.group, versions) : ""));
      option.append(top);
      const heading = String(section[0] || "");
      if (heading && heading !== data.title) {
        const line = element("span", { class: "search-result-heading" });
        appendLine(line, heading, isMatch);
        option.append(line);
      }
      const snippet = element("span", { class: "search-result-snippet" });
      appendSnippet(snippet, text, isMatch);
      option.append(snippet);
      list.append(option);
    });
    rendered += page.length;
    more.hidden = rendered >= shown.length;
    return true;
  }

  /** Opens a result: here, or in a new tab. */
  function follow(option, newTab) {
    const href = option && option.dataset.href;
    if (!href) return;
    const target = new URL(href, location.href);
    if (!/^(https?|file):$/.test(target.protocol)) return;
    if (newTab) {
      window.open(target.href, "_blank", "noopener");
      return;
    }
    close();
    location.assign(target.href);
  }

  let lastKeystroke = -Infinity;
  const schedule = () => {
    clearTimeout(timer);
    // Busy from the keystroke on: the results shown are not this query's yet.
    list.setAttribute("aria-busy", "true");
    const now = performance.now();
    const sincePrevious = now - lastKeystroke;
    lastKeystroke = now;
    const pause = sincePrevious < TYPING_PAUSE_MAX_MS
      ? Math.max(TYPING_PAUSE_MS, Math.min(TYPING_PAUSE_MAX_MS, sincePrevious * TYPING_PAUSE_FACTOR))
      : TYPING_PAUSE_MS;
    timer = setTimeout(search, pause);
  };

  input.addEventListener("input", schedule);
  input.addEventListener("focus", () => { if (input.value.trim() && status.textContent) open(); });
  input.addEventListener("keydown", (event) => {
    const options = list.children;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        if (!input.value.trim()) return;
        event.preventDefault();
        if (panel.hidden) { open(); return; }
        if (!options.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : options.length - 1) : (active + step + options.length) % options.length);
        return;
      }
      case "Enter": {
        if (panel.hidden) return;
        event.preventDefault();
        if (active >= 0) follow(options[active], event.ctrlKey || event.metaKey);
        else if (options.length) follow(options[0], event.ctrlKey || event.metaKey);
        else if (offeredScope) widen();
        return;
      }
      case "Escape": {
        event.preventDefault();
        if (!panel.hidden) close();
        else if (input.value) { input.value = ""; search(); }
        else input.blur();
        return;
      }
      default:
    }
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target !== input) {
      close();
      input.focus();
    }
  });

  list.addEventListener("mousedown", (event) => { event.preventDefault(); });
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) follow(option, event.ctrlKey || event.metaKey || event.shiftKey);
  });
  list.addEventListener("auxclick", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && event.button === 1) follow(option, true);
  });
  // A click on the panel's blank space keeps the focus in the box (and the panel open).
  panel.addEventListener("mousedown", (event) => {
    if (!event.target.closest("select, button, label")) event.preventDefault();
  });
  box.addEventListener("focusout", (event) => {
    if (!box.contains(event.relatedTarget)) close();
  });

  function widen() {
    if (!offeredScope || !scopeSelect) return;
    scopeSelect.value = String(scopes.indexOf(offeredScope));
    input.focus();
    search();
  }
  offer.addEventListener("click", widen);
  more.addEventListener("click", async () => {
    const mine = generation;
    const first = rendered;
    if (await renderMore(mine, analyse(input.value))) {
      input.focus();
      open();
      setActive(first);
    }
  });

  // What was typed while this module loaded: searched after the usual pause, as the reader
  // may still be typing.
  if (input.value.trim()) schedule();
}
