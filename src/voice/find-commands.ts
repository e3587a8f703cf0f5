// The questions of the voice grammar: find or look up customers, jobs and invoices, and what is
// on the schedule for a day. They only read, so their plans run whole at once.
import { dayOf, findWhen, type Clock } from './date-phrase.ts';
import { customerName, jobReference, pattern } from './command-slots.ts';
import { ref, type StepSpec, type Understood } from './plan.ts';
import { findCustomer, findTechnician, OPEN_JOB_STATUSES } from './lookup-steps.ts';

/** Asking for records: customers unless invoices or jobs are named. */
const ASKING = pattern(
  'i',
  String.raw`^(?:find|look\s*up|lookup|search(?:\s+for)?|show(?:\s+me)?|pull\s+up|get(?:\s+me)?|list|give\s+me`,
  String.raw`|who\s+is)\s+(.+)$`,
);
/** A question: only about jobs, the schedule or invoices ("what is the weather" is not one of ours). */
const QUESTION = /^(?:what\s+(?:is|are)|what's|whats|which|when\s+is)\s+(.+)$/i;

const INVOICE_STATES: [RegExp, string][] = [
  [/\b(?:unpaid|outstanding|open|owed)\b/i, 'open,overdue'],
  [/\boverdue|late\b/i, 'overdue'],
  [/\bpaid\b/i, 'paid'],
  [/\bdrafts?\b/i, 'draft'],
];
const JOB_STATES: [RegExp, string][] = [
  [/\bunscheduled\b/i, 'unscheduled'],
  [/\bin progress|underway|started\b/i, 'in_progress'],
  [/\b(?:completed|done|finished)\b/i, 'completed'],
  [/\b(?:open|active|pending)\b/i, OPEN_JOB_STATUSES],
];

const stateOf = (text: string, states: [RegExp, string][]) => states.find(([pattern]) => pattern.test(text))?.[1];
const STATE_WORDS = pattern(
  'gi',
  String.raw`\b(?:unpaid|outstanding|open|owed|overdue|late|paid|drafts?|unscheduled|in progress|underway|started`,
  String.raw`|completed|done|finished|active|pending|all|any|the|my|our)\b`,
);

/** Whose: "for Jones", "of Jones", "Jones's", or what is left once the noun is taken out. */
function ownerIn(text: string, noun: RegExp): string | undefined {
  const owner = /\b(?:for|of|from|to)\s+(.+)$/i.exec(text)?.[1] ?? /^(.+?)(?:'s|\u2019s|s')\s/i.exec(text)?.[1];
  const rest = owner ?? text.replace(noun, ' ');
  const name = customerName(rest.replace(STATE_WORDS, ' ').replace(noun, ' ').replace(/\s+/g, ' ').trim());
  return name || undefined;
}

function findInvoices(rest: string): Understood {
  const status = stateOf(rest, INVOICE_STATES);
  const owner = ownerIn(rest, /\binvoices?\b/gi);
  const filters = status ? { 'status[in]': status } : {};
  const steps: StepSpec[] = owner ? [findCustomer(owner)] : [];
  steps.push({
    tool: 'invoices_list',
    arguments: { ...(owner ? { customer_id: ref('customer.id') } : {}), ...filters, sort: '-created_at', limit: 10 },
    purpose: `Find ${status ? `${status.replace(',', ' or ')} ` : ''}invoices${owner ? ` of ${owner}` : ''}`,
  });
  return { intent: 'find_invoices', steps };
}

function findJobs(rest: string, clock: Clock): Understood {
  const when = findWhen(rest, clock);
  const text = when ? rest.replace(when.text, ' ').replace(/\s+(?:for|on)\s*$/i, '') : rest;
  const day = when ? dayOf(when) : undefined;
  const range = day ? { 'scheduled_start[gte]': day.from, 'scheduled_start[lt]': day.to } : {};
  const status = stateOf(text, JOB_STATES);
  const steps: StepSpec[] = [];
  let narrowed: Record<string, unknown> = {};
  // "Dee's schedule", "Dee's jobs", "(what is) Dee doing": a technician's day.
  const technician = /^([A-Z][\w-]*)(?:'s|\u2019s)\s+(?:schedule|jobs?)\b|^([A-Z][\w-]*)\s+doing\b/.exec(text.trim());
  if (technician) {
    steps.push(findTechnician(technician[1] ?? technician[2]));
    narrowed = { technician_id: ref('technician.id') };
  } else {
    // "jobs for Jones", "Jones's open jobs", "the Jones water heater job".
    const reference = jobReference(
      text
        .replace(/\b(?:on\s+the\s+)?(?:schedule|calendar)\b|\bscheduled\b/gi, ' ')
        .replace(STATE_WORDS, ' ')
        .replace(/^\s*jobs?\s+(?:for|of|at)\s+/i, ' ')
        .replace(/\bjobs?\b/gi, ' '),
    );
    if (reference.customer) {
      steps.push(findCustomer(reference.customer));
      narrowed = { customer_id: ref('customer.id') };
    }
    if (reference.words) narrowed.q = reference.words;
  }
  steps.push({
    tool: 'jobs_list',
    arguments: {
      ...narrowed,
      ...(status ? { 'status[in]': status } : {}),
      ...range,
      sort: 'scheduled_start',
      limit: 25,
    },
    purpose: `Find ${status ? `${status.replace(/,/g, ' or ')} ` : ''}jobs${day ? ` on ${day.date}` : ''}`,
  });
  return { intent: day ? 'find_schedule' : 'find_jobs', steps };
}

function findCustomers(rest: string): Understood | null {
  const said = customerName(
    rest.replace(/\b(?:customers?|clients?)\b\s*(?:named|called)?/gi, ' ').replace(/\s+/g, ' '),
  );
  if (!said) return null;
  return {
    intent: 'find_customers',
    steps: [
      { tool: 'customers_list', arguments: { q: said, limit: 10 }, purpose: `Find customers matching “${said}”` },
    ],
  };
}

/** A question the grammar answers, or null. */
export function findCommand(said: string, clock: Clock): Understood | null {
  const asked = ASKING.exec(said);
  const question = asked ? null : QUESTION.exec(said);
  const rest = asked?.[1] ?? question?.[1];
  if (!rest) return null;
  if (/\binvoices?\b|\bbills?\b/i.test(rest)) return findInvoices(rest);
  if (/\bjobs?\b|\bschedule[ds]?\b|\bcalendar\b|\bdoing\b/i.test(rest)) return findJobs(rest, clock);
  return asked ? findCustomers(rest) : null;
}
