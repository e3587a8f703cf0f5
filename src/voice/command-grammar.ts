// The deterministic grammar of voice commands: the common things a person running a service
// business says, each an intent pattern whose slots (command-slots.ts, date-phrase.ts) become
// the steps of a plan. No model is involved, so the same words always make the same plan. The
// patterns are tried in order; the first that matches and finds its slots wins.
import { findWhen, type Clock, type WhenPhrase } from './date-phrase.ts';
import { amountIn, bare, customerName, durationIn, emailIn, jobReference, pattern, phoneIn } from './command-slots.ts';
import { technicianIn } from './command-slots.ts';
import { append, ref, type StepSpec, type Understood } from './plan.ts';
import { findCustomer, findJob, findTechnician, OPEN_JOB_STATUSES } from './lookup-steps.ts';
import { findCommand } from './find-commands.ts';

type Rule = (match: RegExpExecArray, clock: Clock) => Understood | null;

const DEFAULT_MINUTES = 120;

/** Who and what time: a window from the phrase, as the account's clock reads it. */
function windowOf(when: WhenPhrase, minutes: number) {
  const end = new Date(Date.parse(when.start) + minutes * 60_000).toISOString();
  return { scheduled_start: when.start, scheduled_end: end };
}

const at = (when: WhenPhrase) => `${when.local.replace('T', ' ')} (${when.timeZone})`;

/** "schedule the Jones water heater job for Tuesday at 9 with Dee [for 2 hours]" */
const schedule: Rule = (match, clock) => {
  let rest = match[1];
  const duration = durationIn(rest);
  if (duration) rest = duration.rest;
  const technician = technicianIn(rest);
  if (technician) rest = technician.rest;
  const when = findWhen(rest, clock);
  if (!when) return null;
  rest = rest.slice(0, when.index) + rest.slice(when.index + when.text.length);
  const job = jobReference(rest.replace(/\s+(?:for|on|to|at)\s*$/i, '').trim());
  const window = windowOf(when, duration?.value ?? DEFAULT_MINUTES);
  const steps = findJob(job, 'unscheduled,scheduled');
  if (technician) {
    steps.push(findTechnician(technician.value), {
      tool: 'jobs_assign',
      arguments: { id: ref('job.id'), technician_id: ref('technician.id'), ...window },
      purpose: `Schedule the job for ${at(when)} with ${technician.value}`,
    });
  } else
    steps.push({
      tool: 'jobs_schedule',
      arguments: { id: ref('job.id'), ...window },
      purpose: `Schedule the job for ${at(when)}`,
    });
  return { intent: technician ? 'schedule_and_assign_job' : 'schedule_job', steps };
};

/** "assign the Jones job to Dee", "give Smith's roof job to Marco [tomorrow at 9]" */
const assign =
  (jobFirst: boolean): Rule =>
  (match, clock) => {
    let [jobPhrase, name] = jobFirst ? [match[1], match[2]] : [match[2], match[1]];
    const when = findWhen(name, clock) ?? findWhen(jobPhrase, clock);
    if (when) {
      name = name
        .replace(when.text, '')
        .replace(/\s+(?:for|on|at)\s*$/i, '')
        .trim();
      jobPhrase = jobPhrase
        .replace(when.text, '')
        .replace(/\s+(?:for|on|at)\s*$/i, '')
        .trim();
    }
    const technician = bare(name).replace(/^(?:technician|tech)\s+/i, '');
    if (!technician || /\s\S+\s/.test(technician)) return null;
    const window = when ? windowOf(when, DEFAULT_MINUTES) : {};
    const steps = [...findJob(jobReference(jobPhrase)), findTechnician(technician)];
    steps.push({
      tool: 'jobs_assign',
      arguments: { id: ref('job.id'), technician_id: ref('technician.id'), ...window },
      purpose: `Assign the job to ${technician}${when ? ` for ${at(when)}` : ''}`,
    });
    return { intent: 'assign_job', steps };
  };

/** "start the Jones job", "complete Smith's roof job", "cancel the Jones job" */
const jobAction =
  (action: 'start' | 'complete' | 'cancel', statuses: string): Rule =>
  (match) => {
    const job = jobReference(match[1]);
    if (!job.id && !job.customer) return null;
    const verb = { start: 'Start', complete: 'Complete', cancel: 'Cancel' }[action];
    const steps = [
      ...findJob(job, statuses),
      { tool: `jobs_${action}`, arguments: { id: ref('job.id') }, purpose: `${verb} the job` },
    ];
    return { intent: `${action}_job`, steps };
  };

/** "create customer Mary Smith, phone 555 123 4567, email mary at example dot com" */
const createCustomer: Rule = (match) => {
  let rest = match[1];
  const email = emailIn(rest);
  if (email) rest = email.rest;
  const phone = phoneIn(rest);
  if (phone) rest = phone.rest;
  const name = rest
    .replace(/^(?:named|called)\s+/i, '')
    .replace(/\s*,?\s*\b(?:with|and)\s*$/i, '')
    .trim();
  if (!name) return null;
  const body = { name, ...(phone ? { phone: phone.value } : {}), ...(email ? { email: email.value } : {}) };
  return {
    intent: 'create_customer',
    steps: [{ tool: 'customers_create', arguments: body, purpose: `Create the customer “${name}”`, bind: 'customer' }],
  };
};

/** "create a job for Jones: replace the water heater [tomorrow at 10]" */
const createJob: Rule = (match, clock) => {
  let title = match[2];
  const when = findWhen(title, clock);
  if (when)
    title = (title.slice(0, when.index) + title.slice(when.index + when.text.length)).replace(
      /\s+(?:for|on|at)\s*$/i,
      '',
    );
  title = title.replace(/^(?:to|for)\s+/i, '').trim();
  if (!title) return null;
  title = title[0].toUpperCase() + title.slice(1);
  const steps: StepSpec[] = [
    findCustomer(match[1]),
    {
      tool: 'jobs_create',
      arguments: { customer_id: ref('customer.id'), title },
      purpose: `Create the job “${title}”`,
      bind: 'job',
    },
  ];
  if (when)
    steps.push({
      tool: 'jobs_schedule',
      arguments: { id: ref('job.id'), ...windowOf(when, DEFAULT_MINUTES) },
      purpose: `Schedule it for ${at(when)}`,
    });
  return { intent: 'create_job', steps };
};

/** "invoice the Jones water heater job [for $350]", "create an invoice for Jones" */
const invoice: Rule = (match) => {
  let rest = match[1];
  const amount = amountIn(rest);
  if (amount) rest = amount.rest;
  const forJob = /\bjob\b/i.test(rest) || /^job_/.test(rest);
  const target = rest.replace(/^(?:for|to)\s+/i, '').replace(/^(\S+?)\s+for\s+(?:the\s+)?/i, '$1 ');
  const steps = forJob ? findJob(jobReference(target), 'scheduled,in_progress,completed') : [findCustomer(target)];
  const line = amount
    ? {
        line_items: [
          { description: forJob ? { $ref: 'job.title' } : 'Services', quantity: 1, unit_amount: amount.value },
        ],
      }
    : {};
  // A job's invoice is its customer's: the job says whose it is.
  const billed = forJob
    ? { customer_id: ref('job.customer_id'), job_id: ref('job.id') }
    : { customer_id: ref('customer.id') };
  steps.push({
    tool: 'invoices_create',
    arguments: { ...billed, ...line },
    purpose: `Create a draft invoice for the ${forJob ? 'job' : 'customer'}`,
    bind: 'invoice',
  });
  return { intent: forJob ? 'invoice_job' : 'invoice_customer', steps };
};

/** "add a note to the Jones job: the dog bites", "note for customer Jones: gate code 4411" */
const note: Rule = (match) => {
  const [target, text] = [match[1], match[2].trim()];
  if (!text) return null;
  if (/\bjob\b|^job_/i.test(target)) {
    const steps = findJob(jobReference(target), '');
    steps.push({
      tool: 'jobs_update',
      arguments: { id: ref('job.id'), description: append('job.description', text) },
      purpose: 'Add the note to the job’s description',
    });
    return { intent: 'note_job', steps };
  }
  return {
    intent: 'note_customer',
    steps: [
      findCustomer(customerName(target)),
      {
        tool: 'customers_update',
        arguments: { id: ref('customer.id'), notes: append('customer.notes', text) },
        purpose: 'Add the note to the customer’s notes',
      },
    ],
  };
};

const JOB = String.raw`(.+?)`;
const RULES: [RegExp, Rule][] = [
  [
    pattern(
      'i',
      String.raw`^(?:add|put|leave|make|write|take)\s+(?:a\s+)?note\s+(?:to|on|for|about)\s+(.+?)`,
      String.raw`(?:\s*[:,-]\s*|\s+(?:saying|that says|reading|that)\s+)(.+)$`,
    ),
    note,
  ],
  [/^note\s+(?:to|on|for|about)\s+(.+?)\s*[:,-]\s*(.+)$/i, note],
  [/^(?:create|add|make|set up|register)\s+(?:a\s+)?(?:new\s+)?(?:customer|client)\s*:?\s+(.+)$/i, createCustomer],
  [/^new\s+(?:customer|client)\s*:?\s+(.+)$/i, createCustomer],
  [
    pattern(
      'i',
      String.raw`^(?:create|add|make|open|new)\s+(?:a\s+)?(?:new\s+)?job\s+for\s+(.+?)`,
      String.raw`(?:\s*[:,-]\s*|\s+(?:to|called|named|titled)\s+)(.+)$`,
    ),
    createJob,
  ],
  [/^(?:invoice|bill)\s+(.+)$/i, invoice],
  [/^(?:create|make|draft|prepare|write|start|send)\s+(?:an?\s+)?(?:new\s+)?invoice\s+(?:for|to)\s+(.+)$/i, invoice],
  [/^(?:schedule|reschedule|book|move|put)\s+(.+)$/i, schedule],
  [/^(?:assign|give|hand)\s+(.+?)\s+to\s+(.+)$/i, assign(true)],
  [/^(?:send|dispatch)\s+(.+?)\s+(?:to|out to|over to)\s+(.+)$/i, assign(false)],
  [
    new RegExp(String.raw`^(?:start|begin)\s+(?:work\s+on\s+|working\s+on\s+)?${JOB}$`, 'i'),
    jobAction('start', 'scheduled'),
  ],
  [new RegExp(String.raw`^mark\s+${JOB}\s+(?:as\s+)?(?:started|in progress)$`, 'i'), jobAction('start', 'scheduled')],
  [new RegExp(String.raw`^(?:complete|finish|close out|close)\s+${JOB}$`, 'i'), jobAction('complete', 'in_progress')],
  [
    new RegExp(String.raw`^mark\s+${JOB}\s+(?:as\s+)?(?:done|complete|completed|finished)$`, 'i'),
    jobAction('complete', 'in_progress'),
  ],
  [
    new RegExp(String.raw`^${JOB}\s+is\s+(?:done|complete|completed|finished)$`, 'i'),
    jobAction('complete', 'in_progress'),
  ],
  [new RegExp(String.raw`^cancel\s+${JOB}$`, 'i'), jobAction('cancel', OPEN_JOB_STATUSES)],
];

/** Fillers people say around a command: "hey, can you please ...". */
function normalize(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:(?:hey|ok|okay|hi)\s+fieldline|hey|ok|okay|so|um|uh)[\s,]+/i, '')
    .replace(/^(?:(?:can|could|would|will)\s+you\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+|let's\s+|please\s+)+/i, '')
    .replace(/[\s,]*(?:please|thanks|thank you)[.!?]*$/i, '')
    .replace(/[.!?]+$/, '')
    .trim();
}

/** What the grammar understands of `text`, or null (the model, if any, tries then). */
export function understand(text: string, clock: Clock): Understood | null {
  const said = normalize(text);
  for (const [pattern, rule] of RULES) {
    const match = pattern.exec(said);
    const understood = match && rule(match, clock);
    if (understood) return understood;
  }
  return findCommand(said, clock);
}
