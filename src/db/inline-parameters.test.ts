import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineParameters, toSqlLiteral, UnsafeSqlValueError } from './inline-parameters.ts';
import { connectPglite } from './connect-pglite.ts';

const HOSTILE = [
  "O'Brien",
  "'; DROP TABLE accounts; --",
  'back\\slash\\',
  "\\'; SELECT 1; --",
  '$1 $2 $$ $tag$',
  'quote "double"',
  'línea\nnueva\ttab',
  '😀 emoji',
  '',
  ' ',
  '-- comment',
  '/* block */',
  "E'escape'",
];

test('hostile strings survive the round trip through PostgreSQL byte for byte', async () => {
  const db = await connectPglite();
  try {
    for (const value of HOSTILE) {
      const sql = inlineParameters({
        sql: 'SELECT $1::text AS v, $2::text[] AS arr',
        parameters: [value, [value, 'x']],
      });
      const [[row]] = await db.withConnection((c) => c.run(sql));
      assert.equal(row.v, value);
      assert.deepEqual(row.arr, [value, 'x']);
    }
    const [[json]] = await db.withConnection((c) =>
      c.run(inlineParameters({ sql: 'SELECT $1::jsonb AS j', parameters: [{ a: HOSTILE }] })),
    );
    assert.deepEqual(json.j, { a: HOSTILE });
  } finally {
    await db.close();
  }
});

test('$n markers inside quoted text, identifiers and comments are left alone', () => {
  const sql = inlineParameters({ sql: `SELECT '$1' AS "$1", $1 -- $2\n, $2`, parameters: ['a', 'b'] });
  assert.equal(sql, `SELECT '$1' AS "$1", 'a' -- $2\n, 'b'`);
});

test('negative numbers cannot turn a minus into a comment', () => {
  assert.equal(inlineParameters({ sql: 'SELECT 1-$1', parameters: [-5] }), 'SELECT 1-(-5)');
});

test('values that cannot be rendered safely are refused', () => {
  assert.throws(() => toSqlLiteral('a\u0000b'), UnsafeSqlValueError);
  assert.throws(() => toSqlLiteral(Number.NaN), UnsafeSqlValueError);
  assert.throws(() => inlineParameters({ sql: 'SELECT $2', parameters: [1] }), UnsafeSqlValueError);
});
