// Email templates are Mustache (logic-less: values and sections, no code), rendered safely:
//   - in the HTML body every value is HTML-escaped, and the unescaped forms ({{{x}}}, {{& x}})
//     are refused when the template is saved: a contact's name typed into a web form must not
//     become markup in a mail;
//   - the text body and the subject take values as they are (plain text), and a value's line
//     breaks never reach the subject line (no header injection);
//   - partials are refused (a template cannot pull in another);
//   - a variable the values lack renders empty and is listed in `missing_variables`.
import Mustache from 'mustache';

export interface EmailTemplateParts {
  subject: string;
  text_body: string;
  html_body?: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string | null;
  /** Variables the template uses that the values do not provide (rendered empty). */
  missing_variables: string[];
}

export type TemplateVariables = Record<string, unknown>;

/** A template part that cannot be used, with why (a 422 at that part). */
export class TemplateProblem extends Error {
  constructor(readonly part: keyof EmailTemplateParts, message: string) {
    super(message);
  }
}

type Token = [type: string, value: string, start: number, end: number, children?: Token[] | string];

// Our own writer, without a template cache: templates are tenant content, and the default
// writer would keep every one it ever parsed.
const writer = new Mustache.Writer();
(writer as unknown as { templateCache: undefined }).templateCache = undefined;

const PLAIN = { escape: (value: unknown) => String(value) };

function parse(template: string, part: keyof EmailTemplateParts): Token[] {
  try {
    return writer.parse(template) as unknown as Token[];
  } catch (error) {
    throw new TemplateProblem(part, `is not a valid template: ${(error as Error).message}`);
  }
}

/** Top-level names are looked up in the values; names inside a section may be the section item's own. */
function collectNames(tokens: Token[], into: { all: Set<string>; topLevel: Set<string> }, nested = false): void {
  for (const [type, value, , , children] of tokens) {
    if (type === 'name' || type === '&' || type === '#' || type === '^') {
      into.all.add(value);
      if (!nested && value !== '.') into.topLevel.add(value);
    }
    if ((type === '#' || type === '^') && Array.isArray(children)) collectNames(children, into, true);
  }
}

function checkPart(template: string, part: keyof EmailTemplateParts, names: { all: Set<string>; topLevel: Set<string> }): void {
  const tokens = parse(template, part);
  const walk = (list: Token[]) => {
    for (const [type, value, , , children] of list) {
      if (type === '>') throw new TemplateProblem(part, `uses the partial '{{> ${value}}}'; partials are not supported`);
      if (type === '&' && part === 'html_body') {
        throw new TemplateProblem(part, `outputs '${value}' unescaped ({{{${value}}}} or {{& ${value}}}); in HTML every value is escaped, use {{${value}}}`);
      }
      if (Array.isArray(children)) walk(children);
    }
  };
  walk(tokens);
  collectNames(tokens, names);
}

/** Every variable the template uses, sorted; throws TemplateProblem for a template that cannot be used. */
export function templateVariables(template: EmailTemplateParts): { all: string[]; topLevel: string[] } {
  const names = { all: new Set<string>(), topLevel: new Set<string>() };
  checkPart(template.subject, 'subject', names);
  checkPart(template.text_body, 'text_body', names);
  if (template.html_body) checkPart(template.html_body, 'html_body', names);
  return { all: [...names.all].sort(), topLevel: [...names.topLevel].sort() };
}

/** Mustache's own lookup: `a.b` walks objects; a missing step is undefined. */
function lookup(values: TemplateVariables, name: string): unknown {
  let current: unknown = values;
  for (const step of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

export function renderEmail(template: EmailTemplateParts, values: TemplateVariables): RenderedEmail {
  const { topLevel } = templateVariables(template);
  return {
    // A subject is one line: a value's line breaks would end the header, so they become spaces.
    subject: writer.render(template.subject, values, undefined, PLAIN).replace(/[\r\n]+/g, ' ').trim(),
    text: writer.render(template.text_body, values, undefined, PLAIN),
    html: template.html_body ? writer.render(template.html_body, values) : null,
    missing_variables: topLevel.filter((name) => {
      const value = lookup(values, name);
      return value === undefined || value === null;
    }),
  };
}
