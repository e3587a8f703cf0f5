import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEmail, templateVariables, TemplateProblem } from './email-rendering.ts';

const template = {
  subject: 'Your visit, {{contact.first_name}}',
  text_body: 'Hi {{contact.first_name}},\nWe come on {{visit_date}}.{{#items}}\n- {{name}}{{/items}}',
  html_body: '<p>Hi {{contact.first_name}}, we come on {{visit_date}}.</p>',
};

test('values fill the subject, the text and the HTML; sections repeat over lists', () => {
  const out = renderEmail(template, {
    contact: { first_name: 'Ada' },
    visit_date: 'Tuesday',
    items: [{ name: 'Filter' }, { name: 'Valve' }],
  });
  assert.equal(out.subject, 'Your visit, Ada');
  assert.equal(out.text, 'Hi Ada,\nWe come on Tuesday.\n- Filter\n- Valve');
  assert.equal(out.html, '<p>Hi Ada, we come on Tuesday.</p>');
  assert.deepEqual(out.missing_variables, []);
});

test('in HTML a value is escaped; in the text it is kept as typed', () => {
  const out = renderEmail(template, {
    contact: { first_name: '<script>alert("x")</script> & Co' },
    visit_date: 'Monday',
  });
  assert.equal(
    out.html,
    '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Co, we come on Monday.</p>',
  );
  assert.match(out.text, /^Hi <script>alert\("x"\)<\/script> & Co,/);
});

test("a value's line breaks never reach the subject line", () => {
  const out = renderEmail(template, { contact: { first_name: 'Ada\r\nBcc: victim@example.com' } });
  assert.equal(out.subject, 'Your visit, Ada Bcc: victim@example.com');
});

test("missing variables render empty and are listed; names inside a section are the item's", () => {
  const out = renderEmail(template, { contact: {} });
  assert.equal(out.subject, 'Your visit,');
  assert.deepEqual(out.missing_variables, ['contact.first_name', 'items', 'visit_date']);
});

test('a template lists the variables it uses', () => {
  assert.deepEqual(templateVariables(template), {
    all: ['contact.first_name', 'items', 'name', 'visit_date'],
    topLevel: ['contact.first_name', 'items', 'visit_date'],
  });
});

test('unusable templates are refused with the part and the reason', () => {
  const problem = (parts: Partial<typeof template>) => {
    try {
      templateVariables({ ...template, ...parts });
    } catch (error) {
      assert.ok(error instanceof TemplateProblem);
      return `${error.part}: ${error.message}`;
    }
    assert.fail('accepted');
  };
  assert.equal(problem({ subject: 'Hi {{name' }), 'subject: is not a valid template: Unclosed tag at 9');
  assert.match(problem({ text_body: '{{#items}}x' }), /^text_body: is not a valid template: Unclosed section "items"/);
  assert.match(
    problem({ html_body: '<p>{{{contact.first_name}}}</p>' }),
    /^html_body: outputs 'contact.first_name' unescaped/,
  );
  assert.match(problem({ html_body: '<p>{{& bio}}</p>' }), /^html_body: outputs 'bio' unescaped/);
  assert.match(problem({ text_body: 'See {{> footer}}' }), /^text_body: uses the partial/);
  // Unescaped output is fine where nothing is HTML.
  assert.doesNotThrow(() => templateVariables({ ...template, text_body: '{{{contact.first_name}}}' }));
});

test("names reach the values' own data only: no prototypes, no functions", () => {
  const probe = {
    subject: '{{contact.constructor.name}}{{name.length}}',
    text_body:
      '[{{contact.constructor.keys}}][{{#contact}}{{toString}}{{hasOwnProperty}}{{/contact}}]' +
      '[{{items.map}}][{{__proto__}}]',
  };
  const out = renderEmail(probe, { contact: { first_name: 'Ada' }, name: 'Ada', items: [1] });
  assert.deepEqual(out, {
    subject: '',
    text: '[][][][]',
    html: null,
    missing_variables: [
      'contact.constructor.keys',
      'contact.constructor.name',
      'items.map',
      'name.length',
      '__proto__',
    ].sort(),
  });
});
