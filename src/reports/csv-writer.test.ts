import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvRecord } from './csv-writer.ts';

test('text a spreadsheet would run as a formula gets a leading apostrophe', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    const field = csvField(`${start}SUM(A1:A9)`);
    assert.ok(field.startsWith(`'`) || field.startsWith(`"'`), JSON.stringify(field));
  }
  assert.equal(csvField('=1+1'), `'=1+1`);
  assert.equal(csvField('\rcmd'), `"'\rcmd"`, 'quoted too: it holds a CR');
  assert.equal(csvField('a=b'), 'a=b', 'only a leading character matters');
});

test('numbers are ours and stay numbers; empty is empty', () => {
  assert.equal(csvField(-1250), '-1250');
  assert.equal(csvField(null), '');
  assert.equal(csvField(''), '');
});

test('RFC 4180: quoted when holding a comma, quote or line break, quotes doubled, CRLF after each record', () => {
  assert.equal(csvRecord(['a,b', 'say "hi"', 'two\nlines', 'plain', 3]), `"a,b","say ""hi""","two\nlines",plain,3\r\n`);
});
