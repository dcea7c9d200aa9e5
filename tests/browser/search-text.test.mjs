// The browser's text analysis for search (themes/default/static/search-text.js) against the
// cases src/search/text.rs also passes (tests/search-text-vectors.json): the same folding,
// tokens, stop words and stems, so a query finds what the indexer wrote. Plain node, no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fold, queryTerms, stem, tokens } from "../../themes/default/static/search-text.js";

const vectors = JSON.parse(readFileSync(new URL("../search-text-vectors.json", import.meta.url), "utf8"));

test("stop words are the shared list, and no other word", () => {
  const stopWords = new Set(vectors.stopWords);
  for (const word of vectors.stopWords) assert.deepEqual(queryTerms(word), [], word);
  for (const [word, stemmed] of Object.entries(vectors.wordList)) {
    assert.deepEqual(queryTerms(word), stopWords.has(word) ? [] : [stemmed], word);
  }
  assert.deepEqual(queryTerms("not no"), ["not", "no"]);
});

test("every shared text gives its main terms, in order", () => {
  for (const { text, main } of vectors.texts) {
    const terms = tokens(text).map((t) => t.term).filter((term) => term !== null);
    assert.deepEqual(terms, main, text);
  }
});

test("every shared query gives its terms", () => {
  for (const { query, terms } of vectors.queries) assert.deepEqual(queryTerms(query), terms, query);
});

test("every shared fold matches", () => {
  for (const [text, folded] of vectors.folds) assert.equal(fold(text), folded, text);
});

test("tokens give UTF-16 offsets into the original text", () => {
  for (const { text, tokens: expected } of vectors.tokens) {
    assert.deepEqual(tokens(text), expected, text);
  }
});

test("every shared stem matches, the generated word list included", () => {
  for (const section of ["stems", "wordList"]) {
    const entries = Object.entries(vectors[section]);
    assert.ok(entries.length > 0, section);
    const wrong = entries.filter(([word, expected]) => stem(word) !== expected);
    const report = wrong.map(([word, expected]) => `${word}: ${stem(word)} != ${expected}`);
    assert.deepEqual(report, [], section);
  }
  assert.ok(Object.keys(vectors.wordList).length >= 2000);
});

test("a query is folded and stemmed like the index", () => {
  const index = new Set(vectors.texts.flatMap((t) => t.index));
  for (const query of ["Webhooks", "NAÏVE", "re\u0301sume\u0301", "webhook", "σοφός", "EnableWebhooks"]) {
    for (const term of queryTerms(query)) assert.ok(index.has(term), `${term} of ${query}`);
  }
});

test("hostile text neither throws nor yields long terms", () => {
  const texts = [
    "\u0301\u0301",
    "\uD800 lone \uDFFF surrogates",
    "y".repeat(100000),
    "<img src=x onerror=alert(1)>",
    "🙂".repeat(1000),
  ];
  for (const text of texts) {
    for (const { start, end, term } of tokens(text)) {
      assert.ok(start < end && end <= text.length);
      assert.ok(term === null || [...term].length <= 64);
    }
  }
  assert.equal(stem("y".repeat(1000)).length, 1000);
});
