// The customer pages' one API client: /v1/customer/... on this origin, authenticated by the
// HttpOnly session cookie the sign-in set (the page never holds the token).
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/v1/customer${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.headers.get('content-type')?.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const errors = json?.errors ?? [];
    throw new Problem(response.status, errors[0]?.message ?? json?.detail ?? response.statusText, errors);
  }
  return json as T;
}

/** `{ data }` of a 2xx answer. */
export const data = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
  (await api<{ data: T }>(method, path, body)).data;

export interface Profile {
  customer: { id: string; name: string; email: string | null };
  business: {
    account_id: string;
    portal: string;
    name: string;
    email: string | null;
    phone: string | null;
    time_zone: string;
  };
  online_payments?: boolean;
}

export interface Job {
  id: string;
  title: string;
  status: string;
  scheduled_start: string | null;
  scheduled_end: string | null;
  technician_first_name: string | null;
}

export interface Invoice {
  id: string;
  status: string;
  currency: string;
  total: number;
  amount_due: number;
  due_date: string | null;
}

export interface Proposal {
  id: string;
  object: 'quote' | 'estimate';
  title: string;
  status: string;
  currency: string;
  total: number;
  valid_until: string | null;
  accepted_by_name: string | null;
}

export interface Ticket {
  id: string;
  subject: string;
  status: string;
  created_at: string;
}

export interface VisitRequest {
  id: string;
  status: string;
  note: string | null;
  preferred_windows: { starts_at: string; ends_at: string }[];
  scheduled_start: string | null;
}
