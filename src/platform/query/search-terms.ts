// What `q=` matches, defined once in SQL so that a record's searchable text and a client's
// query are cut into terms by the same code (PostgreSQL's `simple` parser, lower() of the
// database): JavaScript's lowercasing and Unicode classes differ from PostgreSQL's in the C
// locale, and the parser alone keeps "idem-1733" as '-1733' and an email as one word.
// Before parsing, text is folded: accents dropped (é → e), ASCII and CJK
// punctuation made spaces (hyphens, dots, @, brackets), an apostrophe's word kept both joined
// and split (O'Brien → obrien, o, brien), and each CJK character made a word of its own,
// since Chinese and Japanese do not put spaces between words. A phone-like value (digits and
// separators only) also yields its digits joined, so "(555) 123-4567" and "5551234567" find
// each other. Queries match terms as prefixes, all of them, or a phone-like query's digits.
import type { Migration } from '../../db/migrate.ts';

const APOSTROPHES = '\\u0027\\u2019\\u02bc';
// ASCII punctuation, the apostrophes and quotes, CJK and full-width punctuation.
const PUNCTUATION =
  '[\\u0021-\\u002f\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u007e\\u2018\\u2019\\u201c\\u201d\\u02bc' +
  '\\u3000-\\u303f\\uff01-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65]';
// Hiragana, katakana, CJK ideographs (with extension A and compatibility), Hangul syllables.
const CJK = '[\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uac00-\\ud7af]';

// Accents dropped (é → e, É → e: decomposed, marks removed, recomposed so kana and Hangul
// stay whole), then lower case. Only text with a non-ASCII character pays for it.
const FOLDED =
  "lower(CASE WHEN t ~ '[^\\u0001-\\u007f]' " +
  "THEN normalize(regexp_replace(normalize(t, NFD), '[\\u0300-\\u036f]', '', 'g'), NFC) ELSE coalesce(t, '') END)";
/** Punctuation made spaces, then each CJK character a word of its own. */
const spaced = (text: string) =>
  `regexp_replace(regexp_replace(${text}, '${PUNCTUATION}', ' ', 'g'), '(${CJK})', ' \\1 ', 'g')`;

/** A text's words, folded: what fieldline_search_words(t) returns. */
const WORDS_OF_T = `CASE WHEN t ~ '[${APOSTROPHES}]'
                   THEN ${spaced(`regexp_replace(${FOLDED}, '[${APOSTROPHES}]', '', 'g') || ' ' || ${FOLDED}`)}
                   ELSE ${spaced(FOLDED)} END`;
/** A phone-like text's digits joined, else nothing: what fieldline_search_digits(t) returns. */
const DIGITS_OF_T = `CASE WHEN t ~ '^[\\s0-9()+./-]+$' AND t ~ '[0-9][^0-9]+[0-9]'
                   THEN regexp_replace(t, '[^0-9]', '', 'g') ELSE '' END`;

/** `name(t text) RETURNS text` computing `body`, as one inlinable SELECT or a PL/pgSQL function. */
function textFunction(name: string, body: string, language: 'sql' | 'plpgsql'): string {
  const code = language === 'sql' ? `SELECT ${body}` : `BEGIN RETURN ${body}; END`;
  return `CREATE OR REPLACE FUNCTION ${name}(t text) RETURNS text
     LANGUAGE ${language} IMMUTABLE PARALLEL SAFE AS $fn$
       ${code}
     $fn$`;
}

export const SEARCH_TERMS_MIGRATION: Migration = {
  id: '0027_search_terms',
  statements: [
    // Each a SELECT without FROM, which PostgreSQL inlines; 0052 below replaces both in PL/pgSQL.
    // This text stays as it was: the search columns' digest covers it (resource-ddl.ts).
    textFunction('fieldline_search_words', WORDS_OF_T, 'sql'),
    textFunction('fieldline_search_digits', DIGITS_OF_T, 'sql'),
    // Every term of q as a prefix, at most 16; a phone-like q also matches its digits joined.
    `CREATE OR REPLACE FUNCTION fieldline_search_query(q text) RETURNS tsquery
     LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
       SELECT CASE WHEN digits = '' THEN words
                   ELSE coalesce(words || (quote_literal(digits) || ':*')::tsquery,
                                 (quote_literal(digits) || ':*')::tsquery) END
         FROM (SELECT (SELECT string_agg(quote_literal(lexeme) || ':*', ' & ')
                         FROM (SELECT lexeme FROM unnest(to_tsvector('simple', fieldline_search_words(q))) LIMIT 16)
                           AS terms)::tsquery AS words,
                      fieldline_search_digits(q) AS digits) AS parts
     $fn$`,
  ],
};

/**
 * The same two functions, computing the same text, in PL/pgSQL. Inlined, they were planned again
 * in every statement that wrote a row: PostgreSQL parses an inlined function's body each time it
 * plans, and a search document calls the two once per searchable field, so an INSERT of one
 * customer spent ~0.3 ms planning its search_vector, a fifth of a create's database time
 * (bench/README.md). PL/pgSQL keeps each function compiled for the connection's life; per row it
 * costs ~1.4 times the inlined expression, which only a backfill of a whole table notices.
 * Replaced in place (same names, same results), so no stored search document is rebuilt.
 */
export const SEARCH_TERMS_COMPILED_MIGRATION: Migration = {
  id: '0052_search_terms_compiled',
  statements: [
    textFunction('fieldline_search_words', WORDS_OF_T, 'plpgsql'),
    textFunction('fieldline_search_digits', DIGITS_OF_T, 'plpgsql'),
  ],
};

/** The document a resource's search_vector holds, from its searchable text fields. */
export function searchDocumentSql(fields: readonly string[]): string {
  const parts = fields.map((name) => `fieldline_search_words(${name}) || ' ' || fieldline_search_digits(${name})`);
  return `to_tsvector('simple', ${parts.join(` || ' ' || `)})`;
}

/** The condition a list's or the search's q= adds, for a query parameter holding q. */
export const searchMatchSql = (parameter: string) => `search_vector @@ fieldline_search_query(${parameter})`;

/** Whether q holds anything to search for (a letter or a digit); `---` does not. */
export const hasSearchTerms = (q: string) => /[\p{L}\p{N}]/u.test(q);

/**
 * A question's words (a customer's message) as a query matching any of them, for finding what
 * answers it rather than what names it: each word and its English stem as a prefix ("tripping"
 * also finds "tripped"), English stop words and words under three letters left out, at most 48
 * terms in the order they are written. Ranked with ts_rank, more words in common rank higher.
 */
export const anyTermsQuerySql = (parameter: string) =>
  `(SELECT string_agg(quote_literal(term) || ':*', ' | ' ORDER BY first, term)
      FROM (SELECT term, min(word.positions[1]) AS first
              FROM unnest(to_tsvector('simple', fieldline_search_words(${parameter}))) AS word
              CROSS JOIN LATERAL unnest(to_tsvector('english', word.lexeme)) AS stem
              CROSS JOIN LATERAL unnest(ARRAY[word.lexeme, stem.lexeme]) AS term
             WHERE length(term) >= 3
             GROUP BY term ORDER BY first, term LIMIT 48) AS terms)::tsquery`;
