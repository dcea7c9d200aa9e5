// Text analysis for search, the browser's half of src/search/text.rs (see its comment for the
// steps): folding, tokenizing, stop words and Porter stemming. Both must give identical terms
// or a query misses what the index holds; tests/search-text-vectors.json holds the cases both
// test suites check. Loaded on first search, with search.js.

const STOP_WORDS = new Set(("a an and are as at be but by for if in into is it of on or such " +
  "that the their then there these they this to was will with you your").split(" "));
const RUN = /[\p{Alphabetic}\p{N}\p{M}_]+/gu;
const MARKS = /\p{M}/gu;
const NOT_WORD = /[^\p{Alphabetic}\p{N}_]/gu;
const MAX_WORD_CHARS = 64;

/** NFD, combining marks dropped, lowercase, final sigma as σ; punctuation stays. */
export function fold(text) {
  return text.normalize("NFD").replace(MARKS, "").toLowerCase().replace(/ς/g, "σ");
}

/** The terms of a query, distinct, in query order (no sub-terms: queries never split). */
export function queryTerms(query) {
  const terms = [];
  for (const { term } of tokens(query)) {
    if (term !== null && !terms.includes(term)) terms.push(term);
  }
  return terms;
}

/**
 * The tokens of `text`: {start, end} in UTF-16 offsets into `text` as given (unfolded),
 * `word` folded and `term` its term (null for stop words, single characters, over-long words).
 */
export function tokens(text) {
  const found = [];
  for (const run of text.matchAll(RUN)) {
    const word = fold(run[0]).replace(NOT_WORD, "");
    if (!word) continue;
    found.push({ start: run.index, end: run.index + run[0].length, word, term: termOf(word) });
  }
  return found;
}

function termOf(word) {
  const chars = [...word].length;
  if (chars < 2 || chars > MAX_WORD_CHARS || /^_+$/.test(word) || STOP_WORDS.has(word)) return null;
  return chars > 2 && /^[a-z]+$/.test(word) ? stem(word) : word;
}

// Porter's algorithm as published (1980), not the later reference code's departures.
const STEP2 = pairs("ational ate tional tion enci ence anci ance izer ize abli able alli al " +
  "entli ent eli e ousli ous ization ize ation ate ator ate alism al iveness ive fulness ful " +
  "ousness ous aliti al iviti ive biliti ble");
const STEP3 = pairs("icate ic ative - alize al iciti ic ical ic ful - ness -");
const STEP4 = "al ance ence er ic able ible ant ement ment ent ion ou ism ate iti ous ive ize".split(" ");

function pairs(list) {
  const words = list.split(" ");
  const rules = [];
  for (let i = 0; i < words.length; i += 2) {
    rules.push([words[i], words[i + 1] === "-" ? "" : words[i + 1]]);
  }
  return rules;
}

// Consonant flags of a word: not a e i o u, and y only at the start or after a vowel.
function consonants(w) {
  const flags = [];
  for (let i = 0; i < w.length; i++) {
    const c = w[i];
    flags.push("aeiou".includes(c) ? false : c === "y" ? i === 0 || !flags[i - 1] : true);
  }
  return flags;
}

// Porter's m: the number of vowel-consonant sequences.
function measure(stem) {
  const cons = consonants(stem);
  let m = 0;
  for (let i = 1; i < cons.length; i++) if (cons[i] && !cons[i - 1]) m++;
  return m;
}

const hasVowel = (stem) => consonants(stem).includes(false);

function endsCvc(w) {
  const n = w.length, cons = consonants(w);
  return n >= 3 && cons[n - 1] && !cons[n - 2] && cons[n - 3] && !"wxy".includes(w[n - 1]);
}

function replaceLongest(w, rules) {
  const rule = rules.find(([suffix]) => w.endsWith(suffix));
  if (!rule) return w;
  const rest = w.slice(0, w.length - rule[0].length);
  return measure(rest) > 0 ? rest + rule[1] : w;
}

/** The Porter stem of a word of more than two letters a-z; any other word as given. */
export function stem(word) {
  if (!/^[a-z]{3,}$/.test(word)) return word;
  let w = word;
  // Step 1a.
  if (w.endsWith("sses") || w.endsWith("ies")) w = w.slice(0, -2);
  else if (!w.endsWith("ss") && w.endsWith("s")) w = w.slice(0, -1);
  // Step 1b.
  if (w.endsWith("eed")) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else {
    const cut = w.endsWith("ed") && hasVowel(w.slice(0, -2)) ? 2
      : w.endsWith("ing") && hasVowel(w.slice(0, -3)) ? 3 : 0;
    if (cut) {
      w = w.slice(0, -cut);
      const n = w.length, cons = consonants(w);
      if (/(at|bl|iz)$/.test(w)) w += "e";
      else if (n >= 2 && w[n - 1] === w[n - 2] && cons[n - 1] && !"lsz".includes(w[n - 1])) {
        w = w.slice(0, -1);
      }
      else if (measure(w) === 1 && endsCvc(w)) w += "e";
    }
  }
  // Step 1c.
  if (w.endsWith("y") && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + "i";
  w = replaceLongest(replaceLongest(w, STEP2), STEP3);
  // Step 4.
  const suffix = STEP4.find((s) => w.endsWith(s));
  if (suffix) {
    const rest = w.slice(0, w.length - suffix.length);
    if ((suffix !== "ion" || /[st]$/.test(rest)) && measure(rest) > 1) w = rest;
  }
  // Step 5.
  if (w.endsWith("e")) {
    const rest = w.slice(0, -1), m = measure(rest);
    if (m > 1 || (m === 1 && !endsCvc(rest))) w = rest;
  }
  if (w.endsWith("ll") && measure(w) > 1) w = w.slice(0, -1);
  return w;
}
