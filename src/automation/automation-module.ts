// Automation: the account's own rules act for it. Events (written with their changes) queue the
// rules waiting for them; schedules and dates fire on time; the engine runs each rule's actions
// through the API's own operations, one committed step at a time, with the scopes of whoever
// saved the rule. Runs are visible as `automation-runs`. Approval policies hold chosen actions
// (a large refund) until a named member approves them. Tickets past their SLA are escalated.
import { defineModule, provide } from '../platform/api/module.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import type { EventType } from '../platform/events/event-type.ts';
import { AutomationEngine, type EngineOptions } from './automation-engine.ts';
import { automationRules } from './automation-rules.ts';
import { automationRuns } from './automation-runs.ts';
import { approvalPolicies } from './approval-policies.ts';
import { approvals } from './approvals.ts';
import { approvalGate } from './approval-gate.ts';
import { workflows } from './workflows.ts';
import { TicketEscalation } from './ticket-escalation.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** The automation engine's round interval and lease (tests drive rounds themselves). */
    automation?: EngineOptions;
    /** How often the SLA sweep looks for overdue tickets (default a minute). */
    ticketEscalationIntervalMs?: number;
  }
}

/** Runs the account's automation rules. */
export const automationEngine = serviceKey<AutomationEngine>('the automation engine');
/** Escalates open tickets past their due time. */
export const ticketEscalation = serviceKey<TicketEscalation>('the ticket SLA sweep');

const EVENTS: EventType[] = [
  {
    type: 'automation_run.succeeded',
    collection: 'automation-runs',
    description: 'An automation run did all its actions.',
  },
  {
    type: 'automation_run.failed',
    collection: 'automation-runs',
    description: 'An automation run stopped at an action that failed (see its `error` and `steps`).',
  },
  {
    type: 'approval.requested',
    collection: 'approvals',
    description: 'An approval policy held an action: it waits for a decision.',
  },
  {
    type: 'automation.webhook',
    collection: 'automation-runs',
    description: "A rule's `call_webhook` action: sent to that rule's endpoint only, with the run and its object.",
  },
];

export const automationModule = defineModule({
  name: 'automation',
  resources: [automationRules, workflows, automationRuns, approvalPolicies, approvals],
  gates: [approvalGate],
  // Dispatchers and office staff run the day; technicians and read-only members see the rules.
  roles: { dispatcher: 'write', office: 'write', technician: 'read', read_only: 'read' },
  events: EVENTS,
  provides: [
    provide(automationEngine, (runtime) => new AutomationEngine(runtime, runtime.logger, runtime.options.automation)),
    provide(
      ticketEscalation,
      (runtime) => new TicketEscalation(runtime, runtime.logger, runtime.options.ticketEscalationIntervalMs),
    ),
  ],
});
