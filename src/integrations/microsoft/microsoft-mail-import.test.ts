import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf } from './microsoft-mail-import.ts';
import { textOfHtml } from '../mail-text.ts';

test('an HTML body reads as its text: tags, scripts and styles gone, entities decoded, paragraphs kept', () => {
  const html =
    '<html><head><style>p{color:red}</style></head><body><p>Hi &amp; welcome,</p>' +
    '<div>Tuesday&nbsp;at 9 &lt;ok?&gt;</div><script>alert(1)</script><br>Ada</body></html>';
  assert.equal(textOfHtml(html), 'Hi & welcome,\nTuesday at 9 <ok?>\n\nAda');
});

test('addresses are kept lowercased, and only when they are addresses', () => {
  assert.equal(addressOf(' Ada@Example.NET '), 'ada@example.net');
  assert.equal(addressOf('not an address'), null);
  assert.equal(addressOf(undefined), null);
  assert.equal(addressOf(`${'a'.repeat(320)}@example.net`), null);
});
