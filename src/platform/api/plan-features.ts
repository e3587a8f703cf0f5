// The one check of a plan capability: an operation that is an entry point of one (its `feature`)
// runs only for an account whose plan includes it. The gate (HTTP), MCP tool calls and voice
// command steps all call it, so a capability is off the same way however it is reached.
import { ApiError } from '../errors.ts';
import type { Principal } from '../operations/principal.ts';
import type { PlanFeature } from './traffic.ts';

/** Throws 403 `feature_not_in_plan`, naming the plan and the capability, when the plan leaves it out. */
export function requireFeature(principal: Principal, feature: PlanFeature | undefined): void {
  if (!feature || principal.plan.features.includes(feature)) return;
  throw new ApiError(
    'feature_not_in_plan',
    `The ${principal.plan.name} plan does not include ${feature}: an owner can change plan with ` +
      'POST /v1/account/subscription',
    { plan: principal.plan.name, feature },
  );
}
