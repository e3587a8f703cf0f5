// Slot extractors of the voice grammar: each finds one kind of thing in what was said (a job
// reference, a technician, an email, a phone number, an amount, a duration) and answers it with
// the words that said it, so the grammar can take them out of the sentence. Names keep the case
// they were said in: transcripts capitalise names, and that is how "the Jones water heater job"
// splits into a customer ("Jones") and the job's words ("water heater").

/** A slot found in a text: its value and the text without the words that said it. */
export interface Found<T> {
  value: T;
  rest: string;
}

/** A regular expression from pieces (String.raw), so a long one reads in parts. */
export const pattern = (flags: string, ...pieces: string[]) => new RegExp(pieces.join(''), flags);

/** "with an email address of", "and email", ...: what may introduce an address. */
const EMAIL_LEAD =
  String.raw`(?:,?\s*(?:and\s+)?(?:with\s+)?(?:an?\s+)?` + String.raw`e-?mail(?:\s+address)?(?:\s+is|\s+of)?:?\s+)`;
const PHONE_LEAD =
  String.raw`(?:,?\s*(?:and\s+)?(?:with\s+)?(?:the\s+|a\s+)?` + String.raw`(?:phone(?:\s+number)?|number|cell|mobile)`;

const squeeze = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,.;:-]+|[\s,.;:-]+$/g, '')
    .trim();

/** Takes the first match of `pattern` out of `text`. */
export function take(text: string, pattern: RegExp): { match: RegExpExecArray; rest: string } | null {
  const match = pattern.exec(text);
  if (!match) return null;
  return { match, rest: squeeze(text.slice(0, match.index) + ' ' + text.slice(match.index + match[0].length)) };
}

/** "mary at example dot com", as speech-to-text writes an address, or a written one. */
export function emailIn(text: string): Found<string> | null {
  const written = take(text, pattern('i', EMAIL_LEAD, String.raw`?\b([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b`));
  if (written) return { value: written.match[1].toLowerCase(), rest: written.rest };
  const spoken = take(text, pattern('i', EMAIL_LEAD, String.raw`([\w.+-]+)\s+at\s+([\w-]+(?:\s+dot\s+[\w-]+)+)\b`));
  if (!spoken) return null;
  const domain = spoken.match[2].replace(/\s+dot\s+/gi, '.');
  return { value: `${spoken.match[1]}@${domain}`.toLowerCase(), rest: spoken.rest };
}

/** A phone number of 7 to 15 digits, said after "phone", "number" or on its own. */
export function phoneIn(text: string): Found<string> | null {
  const found = take(text, pattern('i', PHONE_LEAD, String.raw`(?:\s+is|\s+of)?:?\s+)?(\+?\d[\d\s().-]{5,20}\d)`));
  if (!found) return null;
  const digits = found.match[1].replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return null;
  return { value: found.match[1].replace(/\s+/g, ' ').trim(), rest: found.rest };
}

/** "$350", "350 dollars", "$1,200.50": minor units (cents). */
export function amountIn(text: string): Found<number> | null {
  const found =
    take(text, /(?:\s*(?:for|of|at)\s+)?\$\s?(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?/i) ??
    take(text, /(?:\s*(?:for|of|at)\s+)?\b(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?\s+(?:dollars|bucks|usd)\b/i);
  if (!found) return null;
  const whole = Number(found.match[1].replace(/,/g, ''));
  const cents = Number((found.match[2] ?? '0').padEnd(2, '0'));
  return { value: whole * 100 + cents, rest: found.rest };
}

const NUMBER_WORDS: Record<string, number> = { an: 1, a: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

/** "for 2 hours", "for an hour", "for 90 minutes": minutes. */
export function durationIn(text: string): Found<number> | null {
  const found = take(
    text,
    pattern(
      'i',
      String.raw`\s*\bfor\s+(\d+(?:\.\d+)?|an?|one|two|three|four|five|six)\s+`,
      String.raw`(?:and\s+a\s+half\s+)?(hours?|hrs?|minutes?|mins?)\b`,
    ),
  );
  if (!found) return null;
  const count = NUMBER_WORDS[found.match[1].toLowerCase()] ?? Number(found.match[1]);
  const half = /and\s+a\s+half/i.test(found.match[0]) ? 0.5 : 0;
  const minutes = /^h/i.test(found.match[2]) ? (count + half) * 60 : count;
  return { value: Math.round(minutes), rest: found.rest };
}

/** "with Dee" (schedule with a technician): the name said after `with`, one or two words. */
export function technicianIn(text: string): Found<string> | null {
  const found = take(text, /\s*\b(?:with|by)\s+(?:technician\s+|tech\s+)?([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)\s*$/);
  return found ? { value: found.match[1], rest: found.rest } : null;
}

/** What names a job: an id, or the customer and some words of its title. */
export interface JobReference {
  id?: string;
  customer?: string;
  words?: string;
}

const LEAD = /^(?:(?:the|a|an|my|our|that|this)\s+)+/i;
const TAIL = /\s+(?:job|visit|appointment|work order|call)$/i;
const PLACE = /\s+(?:house|place|home|residence|property)$/i;

/** Strips articles, a trailing "job", and a possessive `'s`. */
export const bare = (text: string) => squeeze(text).replace(LEAD, '').replace(TAIL, '').replace(PLACE, '').trim();

/** A customer's name as said: without articles and possessive. */
export const customerName = (text: string) =>
  bare(text)
    .replace(/(?:'s|'|\u2019s|\u2019)$/i, '')
    .replace(/^(?:customer|client)\s+/i, '')
    .trim();

/**
 * "the Jones water heater job", "Smith's roof job", "the water heater job for Mary Jones",
 * "job_01J...": a customer (capitalised words said first, else the first word) and the words of
 * the job's title.
 */
export function jobReference(phrase: string): JobReference {
  const id = /\bjob_[0-9A-Za-z]{10,}\b/.exec(phrase);
  if (id) return { id: id[0] };
  const text = squeeze(phrase).replace(LEAD, '');
  const forCustomer = /^(.*?)\b(?:job|visit|appointment)\s+(?:for|at)\s+(.+)$/i.exec(text);
  if (forCustomer) return withWords(customerName(forCustomer[2]), forCustomer[1]);
  const possessive = /^(.+?)(?:'s|\u2019s|s'|\u2019)\s+(.*)$/i.exec(text);
  if (possessive) return withWords(customerName(possessive[1]), possessive[2]);
  const words = bare(text).split(' ').filter(Boolean);
  if (!words.length) return {};
  let named = 0;
  while (named < words.length && /^[A-Z]/.test(words[named])) named++;
  if (named === 0 || named === words.length) named = Math.min(1, words.length);
  return withWords(words.slice(0, named).join(' '), words.slice(named).join(' '));
}

function withWords(customer: string, words: string): JobReference {
  const title = bare(words);
  return { customer: customer || undefined, words: title || undefined };
}
