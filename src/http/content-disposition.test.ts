import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentDisposition } from './content-disposition.ts';

const exactName = (header: string) => decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(header)![1]);

test('a plain name is given as is, twice', () => {
  assert.equal(
    attachmentDisposition('customers-2026-12-07.csv'),
    `attachment; filename="customers-2026-12-07.csv"; filename*=UTF-8''customers-2026-12-07.csv`,
  );
});

test('quotes, backslashes and line breaks cannot leave the quoted name or add a header', () => {
  const header = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1.pdf');
  assert.doesNotMatch(header, /[\r\n]/);
  assert.equal(/filename="([^"]*)"/.exec(header)![1], 'a_b_c__Set-Cookie: x=1.pdf');
  assert.equal(exactName(header), 'a"b\\c\r\nSet-Cookie: x=1.pdf');
  assert.doesNotThrow(() => new Headers({ 'content-disposition': header }));
});

test('a name outside ASCII keeps its exact form in filename*', () => {
  const header = attachmentDisposition("Facture n°12 (José's).pdf");
  assert.equal(/filename="([^"]*)"/.exec(header)![1], "Facture n_12 (Jos_'s).pdf");
  assert.equal(exactName(header), "Facture n°12 (José's).pdf");
  // RFC 8187's attr-char has no quote or parentheses: they are percent-encoded too.
  assert.doesNotMatch(header.split("UTF-8''")[1], /['()]/);
});
