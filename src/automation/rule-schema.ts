// The shapes of an automation rule's trigger and actions, as the API takes them. What they may
// name (event types, collections, fields, scopes) is checked against the registry when the rule
// is saved (rule-checks.ts); string values are Mustache templates over the run's scope
// (`{{object.name}}`, `{{record.scheduled_start}}`).
import { z } from 'zod';

/** A day, a week: the longest an action may wait. */
export const MAX_DELAY_SECONDS = 30 * 86_400;
export const MAX_ACTIONS = 20;
/** A year before or after a date field. */
const MAX_OFFSET_MINUTES = 525_600;

const collectionName = z.string().min(1).max(64).describe('A collection of the API: `jobs`, `invoices`.');
const fieldValues = z
  .record(z.string(), z.unknown())
  .describe('Field name -> value, as the API takes them; string values are templates (`"{{object.customer_id}}"`).');
const template = (max: number) => z.string().min(1).max(max);

export const triggerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('event'),
      event: z.string().min(1).max(100).describe('An event type of the catalogue: `job.completed`.'),
    })
    .strict()
    .describe('Runs for each event of this type.'),
  z
    .object({
      type: z.literal('schedule'),
      cron: z
        .string()
        .min(9)
        .max(100)
        .describe("Five (or six, with seconds) cron fields, in the account's time zone: `0 8 * * 1`."),
    })
    .strict()
    .describe("Runs on a cron schedule in the account's time zone."),
  z
    .object({
      type: z.literal('relative'),
      collection: collectionName,
      field: z.string().min(1).max(64).describe('A date or date-time field of the collection: `scheduled_start`.'),
      offset_minutes: z
        .number()
        .int()
        .min(-MAX_OFFSET_MINUTES)
        .max(MAX_OFFSET_MINUTES)
        .describe('Minutes after the field’s time (negative: before). -1440 = a day before.'),
    })
    .strict()
    .describe('Runs once per object when its date field plus the offset arrives.'),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const actionSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('update_record'), fields: fieldValues })
    .strict()
    .describe("Updates the run's object through the API's own validation and events."),
  z
    .object({ type: z.literal('create_record'), collection: collectionName, fields: fieldValues })
    .strict()
    .describe('Creates an object (a follow-up job, a ticket, a note), validated as the API validates it.'),
  z
    .object({
      type: z.literal('run_action'),
      action: z.string().min(1).max(64).describe("An action of the run's object: `complete`, `send`."),
      input: fieldValues.optional(),
    })
    .strict()
    .describe("Runs an action of the run's object (`POST /v1/{collection}/{id}/{action}`)."),
  z
    .object({
      type: z.literal('send_message'),
      channel: z.enum(['email', 'sms']),
      to: template(320).describe('The address or number, usually a template: `{{record.email}}`.'),
      subject: template(300).optional().describe('Email only; with `template_id` the template’s subject is used.'),
      body: template(5000).optional(),
      template_id: z.string().min(1).max(64).optional().describe('An email template, rendered over the run’s scope.'),
    })
    .strict()
    .describe('Mails or texts someone; opted-out contacts are skipped, never messaged.'),
  z
    .object({
      type: z.literal('notify_users'),
      user_ids: z.array(z.string().min(1).max(64)).max(50).optional(),
      roles: z.array(z.string().min(1).max(32)).max(10).optional(),
      title: template(200),
      body: template(2000),
    })
    .strict()
    .describe('Notifies members (in the app, and by push, mail or text by their preferences).'),
  z
    .object({
      type: z.literal('request_approval'),
      user_ids: z.array(z.string().min(1).max(64)).max(50).optional(),
      roles: z.array(z.string().min(1).max(32)).max(10).optional(),
      summary: template(500).describe(
        'What they decide, a template: `Discount of {{object.discount}} on {{object.id}}`.',
      ),
    })
    .strict()
    .describe(
      'Asks the members named for an approval and waits for it: approved, the run goes on; rejected, it is cancelled.',
    ),
  z
    .object({ type: z.literal('call_webhook'), endpoint_id: z.string().min(1).max(64) })
    .strict()
    .describe('POSTs an `automation.webhook` event (the run and its object) to one webhook endpoint, signed.'),
  z
    .object({ type: z.literal('delay'), seconds: z.number().int().min(1).max(MAX_DELAY_SECONDS) })
    .strict()
    .describe('Waits before the next action.'),
  z
    .object({ type: z.literal('start_workflow'), workflow_id: z.string().min(1).max(64) })
    .strict()
    .describe("Starts a workflow with the run's object (a run of its own)."),
  z
    .object({
      type: z.literal('branch'),
      if: z.record(z.string(), z.unknown()).describe('A condition, in the language of `conditions`.'),
      then: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_ACTIONS).describe('Actions when it holds.'),
      else: z.array(z.record(z.string(), z.unknown())).max(MAX_ACTIONS).optional().describe('Actions when not.'),
    })
    .strict()
    .describe('Goes one way or the other on a condition; its actions are of the same shapes (branches nest 3 deep).'),
]);
export type Action = z.infer<typeof actionSchema>;

export const actionsSchema = z.array(actionSchema).min(1).max(MAX_ACTIONS);

/** The actions of the reference's examples: a valid list that fits any trigger. */
export const NOTIFY_OWNERS_EXAMPLE = [
  { type: 'notify_users', roles: ['owner'], title: 'A job was completed', body: 'Job {{object.id}} is done.' },
];
