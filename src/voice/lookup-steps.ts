// The lookups the grammar's commands start with: each a read step over the same list tools an
// agent calls, narrowed by what was said, whose pick binds the one record later steps act on.
import { ref, type StepSpec } from './plan.ts';
import { customerName, type JobReference } from './command-slots.ts';

export const OPEN_JOB_STATUSES = 'unscheduled,scheduled,in_progress';
const LOOKUP_LIMIT = 10;

/** The customer called `name` ("Jones" finds "Mary Jones"), bound as `customer`. */
export function findCustomer(name: string): StepSpec {
  const said = customerName(name);
  return {
    tool: 'customers_list',
    arguments: { 'name[contains]': said, limit: LOOKUP_LIMIT },
    purpose: `Find the customer “${said}”`,
    bind: 'customer',
    pick: { noun: 'customer', field: 'name', said },
  };
}

/** The technician called `name` (a first name is enough), bound as `technician`. */
export function findTechnician(name: string): StepSpec {
  return {
    tool: 'users_list',
    arguments: { 'name[starts_with]': name, role: 'technician', status: 'active', limit: LOOKUP_LIMIT },
    purpose: `Find the technician “${name}”`,
    bind: 'technician',
    pick: { noun: 'technician', field: 'name', said: name, firstWord: !name.includes(' ') },
  };
}

/**
 * The job a reference names, bound as `job`: by id, or among the customer's jobs in `statuses`
 * whose text holds the words said. Answers the steps: the customer's lookup first when needed.
 */
export function findJob(reference: JobReference, statuses = OPEN_JOB_STATUSES): StepSpec[] {
  if (reference.id)
    return [{ tool: 'jobs_get', arguments: { id: reference.id }, purpose: 'Find the job', bind: 'job' }];
  const steps: StepSpec[] = reference.customer ? [findCustomer(reference.customer)] : [];
  const who = reference.customer ? `${customerName(reference.customer)}’s ` : '';
  const what = reference.words ? ` matching “${reference.words}”` : '';
  steps.push({
    tool: 'jobs_list',
    arguments: {
      ...(reference.customer ? { customer_id: ref('customer.id') } : {}),
      ...(reference.words ? { q: reference.words } : {}),
      ...(statuses ? { 'status[in]': statuses } : {}),
      sort: 'scheduled_start',
      limit: LOOKUP_LIMIT,
    },
    purpose: `Find ${who}job${what}`,
    bind: 'job',
    pick: { noun: 'job', field: 'title', said: reference.words },
  });
  return steps;
}
