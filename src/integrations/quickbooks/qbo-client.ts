// The QuickBooks Online Accounting API v3 for one company (realm): read, create, sparse update,
// void, query with paging, and change data capture. Every call carries `minorversion`; writes carry
// a `requestid` so a retried write (after a timeout, a crash, a 5xx) is answered with the first
// write's result instead of making a second entity. A 401 refreshes the token once; a 429 waits
// its Retry-After when short, else ends the call as `throttled`; a 5xx is retried twice.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { QuickBooksError } from './qbo-errors.ts';
import { apiFailure, exchange } from './qbo-http.ts';
import type { QuickBooksSettings } from './qbo-settings.ts';

export type QboEntityName = 'Customer' | 'Invoice' | 'Payment' | 'Item';

/** What every QuickBooks entity has; the rest of its fields pass through. */
export const QboEntity = z.looseObject({
  Id: z.string().min(1).max(64),
  SyncToken: z.string().max(32).optional(),
  status: z.string().optional(),
  MetaData: z.looseObject({ LastUpdatedTime: z.string().max(64).optional() }).optional(),
});
export type QboEntity = z.infer<typeof QboEntity>;

export interface AccessTokenSource {
  /** The access token to use now (refreshed first when it has expired). */
  current(): Promise<string>;
  /** The API refused `rejected`: a fresh one, or a QuickBooksError('invalid_grant'). */
  renew(rejected: string): Promise<string>;
}

export const REALM_ID = /^\d{1,32}$/;
const MAX_BYTES = 8 * 1024 * 1024;
const PAGE = 1000;
/** Query pages read at most in one call: 50,000 entities. */
const MAX_PAGES = 50;

interface Call {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Safe to send twice: a GET, or a write with a requestid. */
  repeatable: boolean;
}

export class QuickBooksClient {
  constructor(
    private readonly settings: QuickBooksSettings,
    readonly realmId: string,
    private readonly tokens: AccessTokenSource,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {
    if (!REALM_ID.test(realmId)) throw new QuickBooksError('malformed', `'${realmId}' is not a QuickBooks company id`);
  }

  async #call({ method, path, query = {}, body, repeatable }: Call): Promise<unknown> {
    const url = new URL(`${this.settings.apiUrl}/v3/company/${this.realmId}/${path}`);
    for (const [name, value] of Object.entries({ ...query, minorversion: String(this.settings.minorVersion) }))
      url.searchParams.set(name, value);
    let token = await this.tokens.current();
    let renewed = false;
    let throttled = 0;
    let failures = 0;
    for (;;) {
      const answer = await exchange({
        method,
        url: url.toString(),
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        maxBytes: MAX_BYTES,
        timeoutMs: this.settings.timeoutMs,
      }).catch((error: unknown) => {
        if (error instanceof QuickBooksError && error.kind === 'unavailable' && repeatable && failures < 2) return null;
        throw error;
      });
      if (answer === null) {
        await this.sleep(250 * ++failures);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) return answer.body;
      const failure = apiFailure(answer);
      if (failure.kind === 'unauthorized' && !renewed) {
        renewed = true;
        token = await this.tokens.renew(token);
        continue;
      }
      const wait = failure.details.retryAfterMs ?? 0;
      if (failure.kind === 'throttled' && throttled < 3 && wait <= this.settings.maxThrottleWaitMs) {
        throttled++;
        await this.sleep(wait);
        continue;
      }
      if (failure.kind === 'unavailable' && repeatable && failures < 2) {
        await this.sleep(250 * ++failures);
        continue;
      }
      throw failure;
    }
  }

  /** The entity an answer wraps (`{"Customer": {...}, "time": ...}`), checked. */
  #entity(name: string, answer: unknown): QboEntity {
    const parsed = QboEntity.safeParse((answer as Record<string, unknown> | undefined)?.[name]);
    if (!parsed.success) throw new QuickBooksError('malformed', `QuickBooks' answer holds no ${name} with an Id`);
    return parsed.data;
  }

  /** The company's name and country, from CompanyInfo. */
  async companyInfo(): Promise<{ companyName: string; country: string | null }> {
    const answer = await this.#call({ method: 'GET', path: `companyinfo/${this.realmId}`, repeatable: true });
    const info = z
      .object({ CompanyName: z.string().min(1).max(1024), Country: z.string().max(64).optional() })
      .safeParse((answer as { CompanyInfo?: unknown } | undefined)?.CompanyInfo);
    if (!info.success) throw new QuickBooksError('malformed', "QuickBooks' CompanyInfo has no CompanyName");
    return { companyName: info.data.CompanyName, country: info.data.Country ?? null };
  }

  async read(name: QboEntityName, id: string): Promise<QboEntity> {
    const path = `${name.toLowerCase()}/${encodeURIComponent(id)}`;
    return this.#entity(name, await this.#call({ method: 'GET', path, repeatable: true }));
  }

  /** Creates the entity; the same `requestId` again answers the entity the first call made. */
  async create(name: QboEntityName, body: Record<string, unknown>, requestId: string): Promise<QboEntity> {
    const answer = await this.#call({
      method: 'POST',
      path: name.toLowerCase(),
      query: { requestid: requestId },
      body,
      repeatable: true,
    });
    return this.#entity(name, answer);
  }

  /** A sparse update: only the fields in `body` change; `SyncToken` must be the current one (else 5010). */
  async update(
    name: QboEntityName,
    target: { Id: string; SyncToken: string },
    body: Record<string, unknown>,
    requestId: string,
  ): Promise<QboEntity> {
    const answer = await this.#call({
      method: 'POST',
      path: name.toLowerCase(),
      query: { requestid: requestId },
      body: { ...body, Id: target.Id, SyncToken: target.SyncToken, sparse: true },
      repeatable: true,
    });
    return this.#entity(name, answer);
  }

  async voidInvoice(target: { Id: string; SyncToken: string }, requestId: string): Promise<QboEntity> {
    const answer = await this.#call({
      method: 'POST',
      path: 'invoice',
      query: { operation: 'void', requestid: requestId },
      body: { Id: target.Id, SyncToken: target.SyncToken },
      repeatable: true,
    });
    return this.#entity('Invoice', answer);
  }

  /** `SELECT * FROM <name> [WHERE ...]`, every page (STARTPOSITION/MAXRESULTS), up to 50,000 rows. */
  async query(name: QboEntityName, where?: string): Promise<QboEntity[]> {
    const rows: QboEntity[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const filter = where ? ` WHERE ${where}` : '';
      const statement = `SELECT * FROM ${name}${filter} STARTPOSITION ${page * PAGE + 1} MAXRESULTS ${PAGE}`;
      const answer = await this.#call({ method: 'GET', path: 'query', query: { query: statement }, repeatable: true });
      const batch = z
        .array(QboEntity)
        .max(PAGE)
        .safeParse((answer as { QueryResponse?: Record<string, unknown> } | undefined)?.QueryResponse?.[name] ?? []);
      if (!batch.success)
        throw new QuickBooksError('malformed', `QuickBooks' QueryResponse.${name} is not a list of entities`);
      rows.push(...batch.data);
      if (batch.data.length < PAGE) return rows;
    }
    throw new QuickBooksError('malformed', `QuickBooks answered more than ${MAX_PAGES * PAGE} ${name} rows`);
  }

  /** Entities of these kinds changed at or after `since` (CDC: at most 30 days back, 1,000 per kind). */
  async changedSince(names: QboEntityName[], since: Date): Promise<Record<string, QboEntity[]>> {
    const answer = await this.#call({
      method: 'GET',
      path: 'cdc',
      query: { entities: names.join(','), changedSince: since.toISOString() },
      repeatable: true,
    });
    const responses = (answer as { CDCResponse?: { QueryResponse?: unknown }[] } | undefined)?.CDCResponse?.[0]
      ?.QueryResponse;
    if (!Array.isArray(responses)) throw new QuickBooksError('malformed', "QuickBooks' CDC answer has no CDCResponse");
    const changed: Record<string, QboEntity[]> = {};
    for (const name of names) {
      const list = responses.map((r) => (r as Record<string, unknown>)?.[name]).find(Array.isArray) ?? [];
      const parsed = z.array(QboEntity).max(1000).safeParse(list);
      if (!parsed.success) throw new QuickBooksError('malformed', `QuickBooks' CDC list of ${name} is not entities`);
      changed[name] = parsed.data;
    }
    return changed;
  }
}
