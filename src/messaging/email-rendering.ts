// Email templates are Mustache (logic-less: values and sections, no code), rendered safely:
//   - in the HTML body every value is HTML-escaped, and the unescaped forms ({{{x}}}, {{& x}})
//     are refused when the template is saved: a contact's name typed into a web form must not
//     become markup in a mail;
//   - the text body and the subject take values as they are (plain text), and a value's line
//     breaks never reach the subject line (no header injection);
//   - partials are refused (a template cannot pull in another);
//   - a variable the values lack renders empty and is listed in `missing_variables`;
//   - names resolve to the values' own data only: Mustache would otherwise walk prototypes and
//     call functions (`{{contact.constructor.keys}}`), which a template must never reach.
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
  constructor(
    readonly part: keyof EmailTemplateParts,
    message: string,
  ) {
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

function checkPart(
  template: string,
  part: keyof EmailTemplateParts,
  names: { all: Set<string>; topLevel: Set<string> },
): void {
  const tokens = parse(template, part);
  const walk = (list: Token[]) => {
    for (const [type, value, , , children] of list) {
      if (type === '>')
        throw new TemplateProblem(part, `uses the partial '{{> ${value}}}'; partials are not supported`);
      if (type === '&' && part === 'html_body') {
        throw new TemplateProblem(
          part,
          `outputs '${value}' unescaped ({{{${value}}}} or {{& ${value}}}); ` +
            `in HTML every value is escaped, use {{${value}}}`,
        );
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

/** `a.b` walks the values' own properties; a missing step is a miss. Functions are never data. */
function ownPath(view: unknown, name: string): { hit: boolean; value: unknown } {
  let current = view;
  for (const step of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step))
      return { hit: false, value: undefined };
    current = (current as Record<string, unknown>)[step];
  }
  return typeof current === 'function' ? { hit: false, value: undefined } : { hit: true, value: current };
}

/** Mustache's context (a section's item first, then outwards) with data-only lookups. */
class DataOnlyContext extends Mustache.Context {
  override push(view: unknown): Mustache.Context {
    return new DataOnlyContext(view, this);
  }

  override lookup(name: string): unknown {
    if (name === '.') return typeof this.view === 'function' ? undefined : this.view;
    for (let context: Mustache.Context | undefined = this; context; context = context.parent) {
      const found = ownPath(context.view, name);
      if (found.hit) return found.value;
    }
    return undefined;
  }
}

export function renderEmail(template: EmailTemplateParts, values: TemplateVariables): RenderedEmail {
  const { topLevel } = templateVariables(template);
  const view = new DataOnlyContext(values);
  return {
    // A subject is one line: a value's line breaks would end the header, so they become spaces.
    subject: writer
      .render(template.subject, view, undefined, PLAIN)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    text: writer.render(template.text_body, view, undefined, PLAIN),
    html: template.html_body ? writer.render(template.html_body, view) : null,
    missing_variables: topLevel.filter((name) => {
      const { value } = ownPath(values, name);
      return value === undefined || value === null;
    }),
  };
}

/** The names one plain-text template uses (an automation's message or field value); throws TemplateProblem. */
export function plainTextNames(template: string): string[] {
  const names = { all: new Set<string>(), topLevel: new Set<string>() };
  checkPart(template, 'text_body', names);
  return [...names.topLevel];
}

/** One plain-text template rendered: values as they are (nothing escaped), data-only lookups. */
export function renderPlainText(template: string, values: TemplateVariables): string {
  return writer.render(template, new DataOnlyContext(values), undefined, PLAIN);
}
