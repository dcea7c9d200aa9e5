// STAND-IN for the text analysis of Portico search (helper "text" writes the real module:
// folding, tokens, stop words, Porter stemming, identical to src/search/text.rs). This
// minimal version has the same API so that search.js can be written and tried: it folds and
// splits like the real one but has no stop words and no stemming. The lead's merge takes the
// real file.

/** Unicode NFD, combining marks dropped, lowercase. */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The stand-in does not stem. */
export function stem(word) {
  return word;
}

function termOf(folded) {
  return /^[a-z]+$/.test(folded) && folded.length > 2 ? stem(folded) : folded;
}

/** Tokens of `text` with UTF-16 offsets into the original text and their main term. */
export function tokens(text) {
  const found = [];
  const pattern = /[\p{Alphabetic}\p{N}_]+/gu;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const folded = fold(match[0]);
    if (folded.length > 64) continue;
    found.push({ start, end, term: termOf(folded) });
  }
  return found;
}

/** The distinct terms of a query, in query order. */
export function queryTerms(query) {
  const terms = [];
  for (const token of tokens(query)) {
    if (token.term !== null && !terms.includes(token.term)) terms.push(token.term);
  }
  return terms;
}
