// q= finds a record by what a person would type of it: a hyphenated word, an email, a phone
// number with or without separators, accented and unaccented letters, a name with an
// apostrophe, CJK characters inside a longer name. The same in a list's q= and in /v1/search.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import type { DatabaseConnection } from '../src/db/database.ts';
import { SEARCH_TERMS_MIGRATION } from '../src/platform/query/search-terms.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Search Terms Co');
});
after(async () => {
  await ctx.close();
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);

/** The ids a list's q= and /v1/search (customers only) find for q, each checked to answer 200. */
async function found(q: string): Promise<{ list: string[]; search: string[] }> {
  const list = await call('GET', `/v1/customers?q=${encodeURIComponent(q)}&limit=100`);
  assert.equal(list.status, 200, list.text);
  const search = await call('GET', `/v1/search?types=customers&limit=50&q=${encodeURIComponent(q)}`);
  assert.equal(search.status, 200, search.text);
  return {
    list: list.body.data.map((c: any) => c.id).sort(),
    search: search.body.data.data.map((r: any) => r.id).sort(),
  };
}

async function assertFinds(q: string, expected: Record<string, any>[], why: string) {
  const ids = expected.map((c) => c.id).sort();
  const { list, search } = await found(q);
  assert.deepEqual(list, ids, `list q=${q}: ${why}`);
  assert.deepEqual(search, ids, `/v1/search q=${q}: ${why}`);
}

test('hyphenated words, emails and phone numbers are found whole or in parts, and nothing else is', async () => {
  const idem = await created('customers', { name: 'Idem idem-1733' });
  const other = await created('customers', { name: 'Idem idem-1734' });
  const ada = await created('customers', { name: 'Ada', email: 'ada.lovelace@example.com' });
  const formatted = await created('customers', { name: 'Formatted', phone: '(555) 123-4567' });
  const digits = await created('customers', { name: 'Digits', phone: '5559876543' });

  await assertFinds('idem-1733', [idem], 'a hyphenated word');
  await assertFinds('idem', [idem, other], 'a part of it');
  await assertFinds('ada.lovelace@example.com', [ada], 'a whole email');
  await assertFinds('lovelace', [ada], 'a part of an email');
  await assertFinds('(555) 123-4567', [formatted], 'a phone number as stored');
  await assertFinds('555-123-4567', [formatted], 'a phone number with other separators');
  await assertFinds('5551234567', [formatted], 'a phone number without separators');
  await assertFinds('555-987-6543', [digits], 'separators where the stored number has none');
});

test('accents, apostrophes and CJK text are found as typed, and accents without them', async () => {
  const cafe = await created('customers', { name: 'Café Crème', company: 'ÉCOLE Zoë' });
  const brien = await created('customers', { name: "Siobhán O'Brien" });
  const curly = await created('customers', { name: 'Dara O’Neill' });
  const tokyo = await created('customers', { name: '株式会社東京' });
  const osaka = await created('customers', { name: '大阪 Plumbing' });

  await assertFinds('Café', [cafe], 'exact accented text');
  await assertFinds('cafe creme', [cafe], 'without accents');
  await assertFinds('école', [cafe], 'an uppercase accented letter');
  await assertFinds("O'Brien", [brien], 'a name with an apostrophe');
  await assertFinds('obrien', [brien], 'the same without it');
  await assertFinds('brien', [brien], 'the part after it');
  await assertFinds("O'Neill", [curly], 'a straight apostrophe finds a typographic one');
  await assertFinds('東京', [tokyo], 'CJK words inside a longer name');
  await assertFinds('大阪', [osaka], 'CJK beside Latin words');
});

test('q= of punctuation only lists everything in a list and is refused by /v1/search; NUL is refused', async () => {
  const list = await call('GET', '/v1/customers?q=---');
  assert.equal(list.status, 200, list.text);
  const search = await call('GET', '/v1/search?q=---');
  assert.equal(search.status, 400, search.text);
  for (const path of ['/v1/customers?q=a%00b', '/v1/search?q=a%00b']) {
    const refused = await call('GET', path);
    assert.equal(refused.status, 400, `${path}: ${refused.text}`);
  }
});

test('the compiled search functions (PL/pgSQL) fold text as the inlined ones the documents had', async () => {
  const texts = [
    'Idem idem-1733',
    'ada.lovelace@example.com',
    '(555) 123-4567',
    '+44 20 7946 0958',
    'Café Crème ÉCOLE Zoë',
    "Siobhán O'Brien",
    'Dara O’Neill',
    '株式会社東京 大阪 Plumbing',
    'Ｆｕｌｌ－ｗｉｄｔｈ！',
    '---',
    '',
    null,
  ];
  const fold = (connection: DatabaseConnection) =>
    connection.query(
      `SELECT t, fieldline_search_words(t) AS words, fieldline_search_digits(t) AS digits
         FROM unnest($1::text[]) WITH ORDINALITY AS input(t, n) ORDER BY n`,
      [texts],
    );
  await ctx.db.withConnection(async (connection) => {
    const languages = `SELECT DISTINCT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                        WHERE p.proname IN ('fieldline_search_words', 'fieldline_search_digits')`;
    assert.deepEqual((await connection.query(languages, [])).rows, [{ lanname: 'plpgsql' }]);
    const compiled = (await fold(connection)).rows;
    await connection.run('BEGIN');
    try {
      await connection.run(SEARCH_TERMS_MIGRATION.statements.join(';\n'));
      assert.deepEqual((await connection.query(languages, [])).rows, [{ lanname: 'sql' }]);
      assert.deepEqual(compiled, (await fold(connection)).rows);
    } finally {
      await connection.run('ROLLBACK');
    }
  });
});
