// Valid sample data derived from declarations, so registry-generated suites need no
// per-resource lists. Values repeat across n (duplicates exercise sort tie-breaks) and
// optional fields are sometimes empty (nulls exercise keyset paging).
import type { z } from 'zod';
import type { FieldSpec } from '../../src/platform/resource/fields.ts';
import { toJsonSchema } from '../../src/platform/openapi/json-schema.ts';
import type { TestAccount, TestContext } from './test-context.ts';
import type { ResourceDefinition } from '../../src/platform/contract.ts';
import { actionOf, fieldOf } from './declared.ts';
import { users } from '../../src/auth/users-resource.ts';
import { campaignRecipients } from '../../src/domain/campaign-recipients.ts';
import { estimates } from '../../src/domain/estimates.ts';
import { inventoryItems } from '../../src/domain/inventory-items.ts';
import { jobMaterials } from '../../src/domain/job-materials.ts';
import { jobs } from '../../src/domain/jobs.ts';
import { quotes } from '../../src/domain/quotes.ts';
import { reviewRequests } from '../../src/domain/review-requests.ts';
import { scheduleBlocks } from '../../src/domain/schedule-blocks.ts';
import { serviceAgreements } from '../../src/domain/service-agreements.ts';
import { timeEntries } from '../../src/domain/time-entries.ts';
import { pushSubscriptions } from '../../src/delivery/push/push-subscriptions.ts';
import { automationRules } from '../../src/automation/automation-rules.ts';
import { workflows } from '../../src/automation/workflows.ts';
import { approvalPolicies } from '../../src/automation/approval-policies.ts';
import { reports } from '../../src/reports/reports.ts';
import { reportSchedules } from '../../src/reports/report-schedules.ts';
import { llmProviders } from '../../src/ai/llm-providers-resource.ts';

/** A value for a JSON schema: every property filled, minimums respected. */
/** Stands for "an id of this collection" in a JSON sample until Fixtures puts a real one there. */
const REF_MARKER = 'fixture-ref:';

export function sampleFromJsonSchema(schema: any, n = 1): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[n % schema.enum.length];
  if (schema.anyOf) return sampleFromJsonSchema(schema.anyOf.find((s: any) => s.type !== 'null') ?? schema.anyOf[0], n);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      // n + i: successive date-time properties (start, end) come out in increasing order.
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .map(([k, s], i) => [k, sampleFromJsonSchema(s, n + i)])
          .filter(([, v]) => v !== undefined),
      );
    case 'array':
      return schema.items ? [sampleFromJsonSchema(schema.items, n)] : [];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 0, Math.min(schema.maximum ?? 1_000_000, 100 * ((n % 4) + 1)));
    case 'boolean':
      return n % 2 === 0;
    case 'string':
      if (schema['x-fieldline-ref']) return `${REF_MARKER}${schema['x-fieldline-ref']}`;
      if (schema.format === 'date-time') return `2026-0${1 + (n % 9)}-15T09:00:00.000Z`;
      if (schema.format === 'date') return `2026-03-1${n % 5}`;
      if (schema.format === 'email') return `person${n}@example.com`;
      if (schema.pattern === '^[A-Z]{2}$') return 'US';
      if (schema.pattern) return undefined;
      return `Sample ${n % 4}`;
    default:
      return undefined;
  }
}

let uniqueSequence = 0;

/** First candidate the field's own schema accepts. */
function firstValid(schema: z.ZodType, candidates: unknown[]): unknown {
  return candidates.find((c) => c !== undefined && schema.safeParse(c).success);
}

export function sampleValue(spec: FieldSpec, n: number): unknown {
  switch (spec.kind) {
    case 'text':
      // The URL is a closed local port: a delivery there fails at once, never leaves the machine.
      // Unique fields get a value per n; a declared example is the last resort (a secret's shape).
      // A unique field's value is new on every call: a parent made for another fixture never collides.
      if (spec.unique) uniqueSequence++;
      // A secret's example shows its shape, which a provider's hook may check beyond the schema.
      if (spec.writeOnly && spec.example !== undefined) return spec.example;
      return firstValid(spec.schema, [
        `Sample ${spec.unique ? `${n}-${uniqueSequence}` : n % 4} text`,
        `person${spec.unique ? `${n}.${uniqueSequence}` : n}@example.com`,
        `+1 555 01${String(n).padStart(2, '0')}`,
        `http://127.0.0.1:9/hooks/${spec.unique ? `${n}-${uniqueSequence}` : n}`,
        spec.example,
      ]);
    case 'integer':
      return firstValid(spec.schema, [100 * (n % 4), 1]);
    case 'number':
      return firstValid(spec.schema, [12.5 * ((n % 4) + 1), 1]);
    case 'money':
      return 1000 * ((n % 4) + 1);
    case 'currency':
      return ['USD', 'EUR', 'GBP'][n % 3];
    case 'boolean':
      return n % 2 === 0;
    case 'datetime':
      // A declared example stands for a constraint the kind does not show (a time in the future).
      if (spec.example !== undefined) return spec.example;
      return `2026-0${1 + (n % 5)}-15T09:00:00.000Z`;
    case 'date':
      return `2026-03-1${n % 5}`;
    case 'enum':
      return spec.enumValues![n % spec.enumValues!.length];
    case 'tags':
      // A declared example says what the values must look like (event types, say).
      if (spec.example !== undefined) return spec.example;
      return n % 3 === 0 ? [] : ['vip', `group-${n % 2}`];
    case 'json': {
      // A declared example stands for what a hook checks beyond the schema (a key's rates within its plan).
      if (spec.example !== undefined && spec.schema.safeParse(spec.example).success) return spec.example;
      const value = sampleFromJsonSchema(toJsonSchema(spec.schema), n);
      return spec.schema.safeParse(value).success ? value : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * References that must point at a parent in a state only its actions reach (a review request
 * needs a completed job): the actions, with their bodies, that take a new parent there.
 */
const PARENT_STATES = new Map<string, { collection: string; actions: [string, Record<string, unknown>][] }>([
  [
    fieldOf(jobMaterials, 'item_id'),
    {
      collection: inventoryItems.collection,
      actions: [[actionOf(inventoryItems, 'adjust'), { quantity: 1_000_000, reason: 'Stock for fixtures' }]],
    },
  ],
  [
    fieldOf(reviewRequests, 'job_id'),
    {
      collection: jobs.collection,
      actions: [
        [
          actionOf(jobs, 'schedule'),
          { scheduled_start: '2026-03-01T09:00:00.000Z', scheduled_end: '2026-03-01T11:00:00.000Z' },
        ],
        [actionOf(jobs, 'start'), {}],
        [actionOf(jobs, 'complete'), {}],
      ],
    },
  ],
]);

/**
 * Fields whose valid value depends on another field or object (a block ends after it starts,
 * the blocks of one technician never overlap, an offer is valid until a day still to come).
 */
const dayAt = (n: number, hour: number) => new Date(Date.UTC(2026, 0, 1 + n, hour)).toISOString();
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const inThirtyDays = () => inDays(30);
const FIELD_SAMPLES = new Map<string, (n: number) => unknown>([
  [fieldOf(estimates, 'valid_until'), inThirtyDays],
  [fieldOf(quotes, 'valid_until'), inThirtyDays],
  [fieldOf(scheduleBlocks, 'starts_at'), (n) => dayAt(n, 9)],
  [fieldOf(scheduleBlocks, 'ends_at'), (n) => dayAt(n, 10)],
  // A local HH:MM; a first visit soon, so creating one makes a few jobs at once (not a backlog of years).
  [fieldOf(serviceAgreements, 'visit_time'), (n) => ['08:00', '09:30', '13:15', '16:45'][n % 4]],
  [fieldOf(serviceAgreements, 'starts_on'), (n) => inDays(1 + (n % 5))],
  // Only an owner, signed in, grants the owner role; fixtures are made with API keys.
  [fieldOf(users, 'role'), (n) => ['admin', 'dispatcher', 'technician', 'office', 'read_only'][n % 5]],
  // Members named elsewhere (a ticket handed over on escalation) must be able to act.
  [fieldOf(users, 'status'), () => 'active'],
  // A rule names real event types and fields (checked when saved).
  [fieldOf(automationRules, 'enabled'), () => true],
  [fieldOf(workflows, 'collection'), () => 'customers'],
  [fieldOf(workflows, 'steps'), (n) => [{ type: 'delay', seconds: 60 * ((n % 4) + 1) }]],
  // A policy holds refunds too large for any fixture's payment: generated suites are never held.
  [fieldOf(approvalPolicies, 'collection'), () => 'payments'],
  [fieldOf(approvalPolicies, 'action'), () => 'refund'],
  [fieldOf(approvalPolicies, 'conditions'), () => ({ field: 'object.amount', op: 'gt', value: 1_000_000_000 })],
  [fieldOf(approvalPolicies, 'approver_roles'), () => ['admin']],
  [fieldOf(approvalPolicies, 'approver_user_ids'), () => []],
  [fieldOf(automationRules, 'trigger'), () => ({ type: 'event', event: 'customer.created' })],
  [fieldOf(automationRules, 'conditions'), (n) => ({ field: 'object.name', op: 'contains', value: `Sample ${n % 4}` })],
  [fieldOf(automationRules, 'actions'), (n) => [{ type: 'delay', seconds: 60 * ((n % 4) + 1) }]],
  // Report types whose params are all optional.
  [fieldOf(reports, 'type'), (n) => ['inventory_valuation', 'invoice_aging'][n % 2]],
  [fieldOf(reports, 'params'), () => ({})],
  // A schedule sets the days its runs cover; the day it runs on matches its cadence.
  [fieldOf(reportSchedules, 'params'), () => ({})],
  [fieldOf(reportSchedules, 'weekday'), (n) => 1 + (n % 7)],
  [fieldOf(reportSchedules, 'day_of_month'), (n) => 1 + (n % 28)],
  [fieldOf(reportSchedules, 'recipients'), (n) => [`reports-${n}@example.test`]],
  // One default provider per account: a new default would change the providers made before it.
  [fieldOf(llmProviders, 'is_default'), () => false],
]);

/**
 * References that need a parent of their own per object (a technician has one open time entry
 * at a time; a contact is on a campaign once), with what that parent must have.
 */
const OWN_PARENT = new Map<string, Record<string, (n: number) => unknown>>([
  [fieldOf(timeEntries, 'technician_id'), {}],
  [fieldOf(campaignRecipients, 'contact_id'), { email: (n) => `recipient-${n}@example.test` }],
  [fieldOf(campaignRecipients, 'campaign_id'), {}], // a campaign that sends or cancels takes no more recipients
  [fieldOf(pushSubscriptions, 'user_id'), {}], // optional for a signed-in member only; fixtures use API keys
  // An active technician, one per agreement: its jobs are assigned to them, and never clash with another's.
  [fieldOf(serviceAgreements, 'technician_id'), { role: () => 'technician' }],
]);

/** Builds valid create bodies, creating referenced objects as needed (one per target per account). */
export class Fixtures {
  readonly #parents = new Map<string, string>();

  constructor(
    private readonly ctx: TestContext,
    private readonly account: TestAccount,
  ) {}

  async body(resource: ResourceDefinition, n: number): Promise<Record<string, unknown>> {
    const body: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(resource.fields)) {
      if (spec.access === 'readOnly') continue;
      if (spec.ref) {
        const key = `${resource.collection}.${name}`;
        const prepared = PARENT_STATES.get(key);
        const ownParent = OWN_PARENT.get(key);
        if (prepared) body[name] = await this.#parentInState(key, prepared);
        else if (ownParent)
          body[name] = (await this.create(this.ctx.registry.get(spec.ref.collection), n, ownParent)).id;
        else if (spec.required || n % 3 !== 0) body[name] = await this.parent(spec.ref.collection);
        continue;
      }
      const optionalAndEmpty = !spec.required && spec.defaultValue === undefined && n % 3 === 0;
      const value =
        FIELD_SAMPLES.get(`${resource.collection}.${name}`)?.(n) ?? (optionalAndEmpty ? null : sampleValue(spec, n));
      if (value !== undefined) body[name] = await this.withParentIds(value);
    }
    return body;
  }

  async create(
    resource: ResourceDefinition,
    n: number,
    overrides: Record<string, (n: number) => unknown> = {},
  ): Promise<Record<string, any>> {
    const body = await this.body(resource, n);
    for (const [name, value] of Object.entries(overrides)) body[name] = value(n);
    // A resource whose create starts work (a report) answers 202.
    const createdStatus = resource.acceptedOnCreate ? 202 : 201;
    let response = await this.ctx.call('POST', `/v1/${resource.collection}`, { key: this.account.key, body });
    const optionalRefs = Object.keys(body).filter(
      (name) => resource.fields[name].ref && !resource.fields[name].required,
    );
    if (response.status !== createdStatus && optionalRefs.length) {
      // A parent in the wrong state (e.g. a draft invoice cannot take payments): create without optional links.
      for (const name of optionalRefs) delete body[name];
      response = await this.ctx.call('POST', `/v1/${resource.collection}`, { key: this.account.key, body });
    }
    if (response.status !== createdStatus)
      throw new Error(`creating ${resource.name}: ${response.status} ${response.text}`);
    return response.body.data;
  }

  /** Replaces the ids a JSON sample refers to (x-fieldline-ref) with real objects' ids. */
  async withParentIds(value: unknown): Promise<unknown> {
    if (typeof value === 'string' && value.startsWith(REF_MARKER)) return this.parent(value.slice(REF_MARKER.length));
    if (!value || typeof value !== 'object') return value;
    // One at a time: parent() makes each collection's parent once.
    const entries: [string, unknown][] = [];
    for (const [k, v] of Object.entries(value)) entries.push([k, await this.withParentIds(v)]);
    return Array.isArray(value) ? entries.map(([, v]) => v) : Object.fromEntries(entries);
  }

  async #parentInState(
    key: string,
    recipe: { collection: string; actions: [string, Record<string, unknown>][] },
  ): Promise<string> {
    let id = this.#parents.get(key);
    if (!id) {
      id = (await this.create(this.ctx.registry.get(recipe.collection), 1)).id as string;
      for (const [reference, body] of recipe.actions) {
        const action = reference.slice(recipe.collection.length + 1);
        const moved = await this.ctx.call('POST', `/v1/${recipe.collection}/${id}/${action}`, {
          key: this.account.key,
          body,
        });
        if (moved.status !== 200) throw new Error(`${key}: ${action} ${moved.status} ${moved.text}`);
      }
      this.#parents.set(key, id);
    }
    return id;
  }

  async parent(collection: string): Promise<string> {
    let id = this.#parents.get(collection);
    if (!id) {
      id = (await this.create(this.ctx.registry.get(collection), 1)).id as string;
      this.#parents.set(collection, id);
    }
    return id;
  }
}
