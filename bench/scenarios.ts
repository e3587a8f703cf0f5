// The three measured requests, written once for both systems. A target differs only in
// its base URL, path prefix (/v1 for Fieldline) and headers (the API key for Fieldline).
import type { Request } from 'autocannon';
import { COMPANIES } from './seed.ts';

/** `core`: Fieldline with traffic control off (no rate limits, quotas, request logs, request metrics). */
export type System = 'fieldline' | 'core' | 'bare';

export interface Target {
  system: System;
  url: string;
  prefix: string;
  headers: Record<string, string>;
}

export interface Scenario {
  name: string;
  /** Autocannon's request list; each connection cycles through it. */
  requests(target: Target): Request[];
  expectedStatus: number;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function scenarios(customerIds: readonly string[]): Scenario[] {
  // A fixed random sample, cycled: keeps every request static (usable from autocannon's worker).
  const ids = shuffled(customerIds).slice(0, 2000);
  const companies = shuffled(COMPANIES);
  return [
    {
      name: 'get customer by id',
      expectedStatus: 200,
      requests: (t) => ids.map((id) => ({ method: 'GET', path: `${t.prefix}/customers/${id}` })),
    },
    {
      name: 'list 25 by company',
      expectedStatus: 200,
      requests: (t) =>
        companies.map((company) => ({
          method: 'GET',
          path: `${t.prefix}/customers?company=${encodeURIComponent(company)}&limit=25`,
        })),
    },
    {
      name: 'create customer',
      expectedStatus: 201,
      // 100 distinct bodies, cycled (email is not unique, so repeats are fine). Not autocannon's
      // idReplacement: its Content-Length assumes a fixed id length and the requests break.
      requests: (t) =>
        Array.from({ length: 100 }, (_, i) => ({
          method: 'POST',
          path: `${t.prefix}/customers`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Bench Customer ${i}`, email: `bench-${i}@example.com` }),
        })),
    },
  ];
}

/** One request of the scenario by plain fetch: fails loudly before any load is applied. */
export async function preflight(scenario: Scenario, target: Target): Promise<void> {
  const [request] = scenario.requests(target);
  const response = await fetch(target.url + request.path, {
    method: request.method,
    headers: { ...target.headers, ...request.headers },
    body: request.body,
  });
  const text = await response.text();
  if (response.status !== scenario.expectedStatus) {
    throw new Error(
      `${target.system} ${scenario.name}: expected ${scenario.expectedStatus}, got ${response.status}: ` +
        `${text.slice(0, 500)}`,
    );
  }
}
