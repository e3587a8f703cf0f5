// QuickBooks Online on 127.0.0.1, as Intuit documents it and as far as Fieldline's connector uses
// it. OAuth 2.0 (`/connect/oauth2` redirects back with `code`, `state` and `realmId`;
// `/oauth2/v1/tokens/bearer` takes authorization_code and refresh_token grants with HTTP Basic
// client auth; `/oauth2/v1/tokens/revoke`), and the Accounting API v3 under
// `/v3/company/{realmId}`: companyinfo, create and sparse update (SyncToken) of Customer, Invoice
// and Payment, `query` with STARTPOSITION/MAXRESULTS, `cdc`, and `requestid` idempotency. Errors
// come in Intuit's `Fault` shape; `failNext` plays throttling (429 + Retry-After), outages and faults.
// Amounts are decimals on the wire; the fake keeps them as BigInt millionths so it checks sums exactly.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

type Entity = Record<string, any>;
export type EntityName = 'Customer' | 'Invoice' | 'Payment' | 'Item';

export interface FakeCompany {
  realmId: string;
  name: string;
  entities: Record<EntityName, Map<string, Entity>>;
  nextId: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface Injected {
  status: number;
  /** Only requests whose path contains this. */
  path?: string;
  retryAfter?: number;
  fault?: { type: string; code: string; message: string; detail?: string };
  /** A raw body instead of a Fault (malformed answers). */
  raw?: string;
  /** The request is carried out, then its answer is lost: a 5xx instead (a gateway timeout). */
  afterWrite?: boolean;
}

const token = () => randomBytes(24).toString('base64url');
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, '-00:00');

/** `SELECT * FROM Entity [WHERE ...] [ORDERBY ...] [STARTPOSITION n] [MAXRESULTS m]`. */
const QUERY =
  /^select \* from (\w+)(?: where (.+?))?(?: orderby [\w. ]+)?(?: startposition (\d+))?(?: maxresults (\d+))?\s*$/i;

const SCALE = 1_000_000n;
/** A JSON decimal as millionths, exactly (via its shortest decimal text, which is what was sent). */
export function micros(value: unknown): bigint {
  const text = typeof value === 'number' ? String(value) : String(value ?? '');
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(whole) * SCALE + BigInt(fraction.padEnd(6, '0'));
  return sign ? -units : units;
}
export function decimal(units: bigint): number {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const fraction = String(abs % SCALE)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return Number(`${negative ? '-' : ''}${abs / SCALE}${fraction ? `.${fraction}` : ''}`);
}

const fault = (type: string, code: string, message: string, detail = message) => ({
  Fault: { Error: [{ Message: message, Detail: detail, code, element: '' }], type },
  time: now(),
});
class FaultError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('fault');
  }
}
const validation = (code: string, message: string, detail?: string) =>
  new FaultError(400, fault('ValidationFault', code, message, detail));

export interface FakeQuickBooksOptions {
  clientId?: string;
  clientSecret?: string;
}

export async function startQuickBooksFake({
  clientId = 'fake-client-id',
  clientSecret = 'fake-client-secret',
}: FakeQuickBooksOptions = {}) {
  const companies = new Map<string, FakeCompany>();
  const codes = new Map<string, { realmId: string; redirectUri: string }>();
  const refreshTokens = new Map<string, string>(); // refresh token -> realmId
  const accessTokens = new Map<string, { realmId: string; expiresAt: number }>();
  const replies = new Map<string, { status: number; body: unknown }>(); // realmId + requestid
  const injected: Injected[] = [];
  const requests: FakeRequest[] = [];
  let consentRealm: string | undefined;
  let nextRealm = 9130_3500_0000_0000n;

  function addCompany(name: string): FakeCompany {
    const realmId = String(nextRealm++);
    const company: FakeCompany = {
      realmId,
      name,
      entities: { Customer: new Map(), Invoice: new Map(), Payment: new Map(), Item: new Map() },
      nextId: 1,
    };
    companies.set(realmId, company);
    save(company, 'Item', { Name: 'Services', Type: 'Service', Active: true });
    return company;
  }

  function save(company: FakeCompany, name: EntityName, entity: Entity): Entity {
    const stamp = now();
    const stored = {
      ...entity,
      Id: entity.Id ?? String(company.nextId++),
      SyncToken: entity.Id ? String(Number(entity.SyncToken) + 1) : '0',
      domain: 'QBO',
      MetaData: { CreateTime: entity.MetaData?.CreateTime ?? stamp, LastUpdatedTime: stamp },
    };
    company.entities[name].set(stored.Id, stored);
    return stored;
  }

  function issueTokens(realmId: string) {
    const access = token();
    const refresh = token();
    accessTokens.set(access, { realmId, expiresAt: Date.now() + 3600_000 });
    refreshTokens.set(refresh, realmId);
    return {
      token_type: 'bearer',
      access_token: access,
      refresh_token: refresh,
      expires_in: 3600,
      x_refresh_token_expires_in: 8_726_400,
    };
  }

  const reference = (company: FakeCompany, name: EntityName, ref: any, field: string) => {
    const found = ref?.value ? company.entities[name].get(String(ref.value)) : undefined;
    if (!found) throw validation('2500', 'Invalid Reference Id', `Invalid Reference Id : ${field} ${ref?.value}`);
    return found;
  };

  /** Lines and TxnTaxDetail checked as QuickBooks does; TotalAmt and Balance derived. */
  function priceInvoice(company: FakeCompany, invoice: Entity, paid: bigint): Entity {
    let sum = 0n;
    for (const line of invoice.Line ?? []) {
      if (line.DetailType !== 'SalesItemLineDetail') continue;
      const detail = line.SalesItemLineDetail ?? {};
      reference(company, 'Item', detail.ItemRef, 'Line.SalesItemLineDetail.ItemRef');
      const amount = micros(line.Amount);
      if (detail.UnitPrice !== undefined && (micros(detail.UnitPrice) * micros(detail.Qty ?? 1)) / SCALE !== amount)
        throw validation('6070', 'Amount is not equal to UnitPrice * Qty', `Amount ${line.Amount} for line`);
      sum += amount;
    }
    const tax = micros(invoice.TxnTaxDetail?.TotalTax ?? 0);
    const total = sum + tax;
    return { ...invoice, TotalAmt: decimal(total), Balance: decimal(total - paid) };
  }

  function paidOn(company: FakeCompany, invoiceId: string, exceptPayment?: string): bigint {
    let paid = 0n;
    for (const payment of company.entities.Payment.values()) {
      if (payment.Id === exceptPayment) continue;
      for (const line of payment.Line ?? [])
        if (line.LinkedTxn?.some((l: any) => l.TxnType === 'Invoice' && l.TxnId === invoiceId))
          paid += micros(line.Amount);
    }
    return paid;
  }

  function writeEntity(company: FakeCompany, name: EntityName, body: Entity, operation?: string): Entity {
    const existing = body.Id !== undefined ? company.entities[name].get(String(body.Id)) : undefined;
    if (body.Id !== undefined) {
      if (!existing)
        throw validation(
          '610',
          'Object Not Found',
          "Object Not Found : Something you're trying to use has been made inactive. " +
            'Check the fields with accounts, customers, items, vendors or employees.',
        );
      if (String(body.SyncToken) !== existing.SyncToken)
        throw validation(
          '5010',
          'Stale Object Error',
          'Stale Object Error : You and another user were working on the same thing. ' +
            'The other user finished before you did, so your work was not saved.',
        );
    }
    if (operation === 'void') {
      if (name !== 'Invoice') throw validation('2010', 'Request has invalid or unsupported property');
      const lines = (existing!.Line ?? []).map((l: Entity) => ({ ...l, Amount: 0 }));
      return save(company, name, {
        ...existing!,
        Line: lines,
        TxnTaxDetail: { TotalTax: 0 },
        TotalAmt: 0,
        Balance: 0,
        PrivateNote: 'Voided',
      });
    }
    // A sparse update keeps what it does not name; a full update replaces the entity.
    const merged = existing && body.sparse ? { ...existing, ...body } : { ...body };
    delete merged.sparse;
    if (name === 'Customer') {
      if (!merged.DisplayName)
        throw validation(
          '2020',
          'Required param missing, need to supply the required value for the API',
          'Required parameter DisplayName is missing',
        );
      for (const other of company.entities.Customer.values())
        if (other.Id !== merged.Id && other.DisplayName === merged.DisplayName)
          throw validation(
            '6240',
            'Duplicate Name Exists Error',
            `The name supplied already exists. : Another customer is already using this name (Id=${other.Id}).`,
          );
      merged.Balance ??= 0;
    }
    if (name === 'Invoice') {
      reference(company, 'Customer', merged.CustomerRef, 'CustomerRef');
      if (!merged.Line?.length)
        throw validation(
          '2020',
          'Required param missing, need to supply the required value for the API',
          'Required parameter Line is missing',
        );
      Object.assign(merged, priceInvoice(company, merged, merged.Id ? paidOn(company, merged.Id) : 0n));
      merged.DocNumber ??= String(1000 + company.entities.Invoice.size + 1);
    }
    if (name === 'Payment') {
      reference(company, 'Customer', merged.CustomerRef, 'CustomerRef');
      let linked = 0n;
      for (const line of merged.Line ?? []) {
        for (const link of line.LinkedTxn ?? []) {
          const invoice = reference(company, 'Invoice', { value: link.TxnId }, 'LinkedTxn.TxnId');
          const balance = micros(invoice.TotalAmt) - paidOn(company, invoice.Id, merged.Id);
          if (micros(line.Amount) > balance)
            throw validation(
              '6000',
              'A business validation error has occurred while processing your request',
              'Business Validation Error: The payment amount exceeds the open balance of the invoice.',
            );
        }
        linked += micros(line.Amount);
      }
      if (micros(merged.TotalAmt) < linked)
        throw validation(
          '6000',
          'A business validation error has occurred while processing your request',
          'Business Validation Error: The amount applied exceeds TotalAmt.',
        );
      merged.UnappliedAmt = decimal(micros(merged.TotalAmt) - linked);
    }
    const stored = save(company, name, merged);
    if (name === 'Payment') for (const invoice of linkedInvoices(company, stored)) refreshBalance(company, invoice);
    return stored;
  }

  const linkedInvoices = (company: FakeCompany, payment: Entity) =>
    (payment.Line ?? []).flatMap((l: Entity) =>
      (l.LinkedTxn ?? []).map((x: Entity) => company.entities.Invoice.get(x.TxnId)!),
    );
  function refreshBalance(company: FakeCompany, invoice: Entity) {
    const balance = decimal(micros(invoice.TotalAmt) - paidOn(company, invoice.Id));
    company.entities.Invoice.set(invoice.Id, { ...invoice, Balance: balance });
  }

  /** `SELECT * FROM Entity [WHERE a = 'x' AND b > 'y'] [STARTPOSITION n] [MAXRESULTS m]`. */
  function runQuery(company: FakeCompany, query: string) {
    const match = QUERY.exec(query.trim());
    if (!match)
      throw new FaultError(
        400,
        fault(
          'ValidationFault',
          '4000',
          'Error parsing query',
          `QueryParserError: Encountered an unexpected token in ${query}`,
        ),
      );
    const [, entityName, where, start = '1', max = '100'] = match;
    const name = (Object.keys(company.entities) as EntityName[]).find(
      (n) => n.toLowerCase() === entityName.toLowerCase(),
    );
    if (!name)
      throw new FaultError(
        400,
        fault('ValidationFault', '4001', 'Invalid query', `QueryValidationError: Entity ${entityName} not supported`),
      );
    if (Number(max) > 1000)
      throw new FaultError(
        400,
        fault('ValidationFault', '4001', 'Invalid query', 'QueryValidationError: MAXRESULTS cannot exceed 1000'),
      );
    const conditions = (where ? where.split(/ and /i) : []).map((c) => {
      const m = /^([\w.]+)\s*(=|>=|>|<)\s*'((?:[^'\\]|\\.)*)'$/.exec(c.trim());
      if (!m)
        throw new FaultError(400, fault('ValidationFault', '4000', 'Error parsing query', `QueryParserError: ${c}`));
      return { field: m[1], op: m[2], value: m[3].replace(/\\'/g, "'") };
    });
    const value = (entity: Entity, path: string) => path.split('.').reduce((v: any, k) => v?.[k], entity);
    const live = [...company.entities[name].values()].filter((entity) => entity.status !== 'Deleted');
    const rows = live.filter((entity) =>
      conditions.every(({ field, op, value: want }) => {
        const have = String(value(entity, field) ?? '');
        return op === '=' ? have === want : op === '>' ? have > want : op === '>=' ? have >= want : have < want;
      }),
    );
    const page = rows.slice(Number(start) - 1, Number(start) - 1 + Number(max));
    return {
      QueryResponse: page.length ? { [name]: page, startPosition: Number(start), maxResults: page.length } : {},
      time: now(),
    };
  }

  function runCdc(company: FakeCompany, entities: string, changedSince: string) {
    const since = Date.parse(changedSince);
    if (!entities || Number.isNaN(since))
      throw validation(
        '2020',
        'Required param missing, need to supply the required value for the API',
        'entities and changedSince are required',
      );
    if (since < Date.now() - 30 * 86_400_000)
      throw validation('4002', 'Invalid changedSince', 'changedSince must be within the last 30 days');
    const responses = entities.split(',').map((entityName) => {
      const name = entityName.trim() as EntityName;
      const changed = [...(company.entities[name]?.values() ?? [])]
        .filter((e) => Date.parse(e.MetaData.LastUpdatedTime.replace(/-00:00$/, 'Z')) >= since)
        .slice(0, 1000);
      return changed.length
        ? { [name]: changed, startPosition: 1, maxResults: changed.length, totalCount: changed.length }
        : {};
    });
    return { CDCResponse: [{ QueryResponse: responses }], time: now() };
  }

  function basicClientOk(request: IncomingMessage) {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    return request.headers.authorization === expected;
  }

  async function handle(
    request: IncomingMessage,
    url: URL,
    body: string,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const path = url.pathname;
    if (request.method === 'GET' && path === '/connect/oauth2') {
      const q = url.searchParams;
      if (
        q.get('client_id') !== clientId ||
        q.get('response_type') !== 'code' ||
        !q.get('redirect_uri') ||
        !q.get('state') ||
        !q.get('scope')?.includes('com.intuit.quickbooks.accounting')
      )
        return { status: 400, body: { error: 'invalid_request' } };
      const realmId = consentRealm ?? [...companies.keys()][0];
      const code = `AB${token()}`;
      codes.set(code, { realmId, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      back.searchParams.set('realmId', realmId);
      return { status: 302, body: '', headers: { location: back.toString() } };
    }
    if (request.method === 'POST' && path === '/oauth2/v1/tokens/bearer') {
      if (!basicClientOk(request)) return { status: 401, body: { error: 'invalid_client' } };
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!grant || grant.redirectUri !== form.get('redirect_uri'))
          return { status: 400, body: { error: 'invalid_grant' } };
        return { status: 200, body: issueTokens(grant.realmId) };
      }
      if (form.get('grant_type') === 'refresh_token') {
        const realmId = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!realmId) return { status: 400, body: { error: 'invalid_grant' } };
        // Intuit may rotate the refresh token; the previous one stays valid for a while (not modelled: it is dropped).
        refreshTokens.delete(form.get('refresh_token')!);
        return { status: 200, body: issueTokens(realmId) };
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (request.method === 'POST' && path === '/oauth2/v1/tokens/revoke') {
      if (!basicClientOk(request)) return { status: 401, body: { error: 'invalid_client' } };
      const revoked = JSON.parse(body || '{}').token;
      const realmId = refreshTokens.get(revoked) ?? accessTokens.get(revoked)?.realmId;
      if (realmId) revokeGrant(realmId);
      return { status: 200, body: '' };
    }
    const api = /^\/v3\/company\/(\d+)\/(\w+)(?:\/(\w+))?$/.exec(path);
    if (!api) return { status: 404, body: fault('ValidationFault', '404', 'Not Found') };
    const [, realmId, resource, id] = api;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const access = bearer ? accessTokens.get(bearer) : undefined;
    if (!access || access.expiresAt < Date.now() || access.realmId !== realmId)
      return {
        status: 401,
        body: fault('AuthenticationFault', '3200', 'message=AuthenticationFailed; errorCode=003200; statusCode=401'),
      };
    const company = companies.get(realmId)!;
    const minor = url.searchParams.get('minorversion');
    // Intuit answers minor versions under 75 as unsupported since 2025.
    if (minor !== null && !(Number(minor) >= 75))
      throw validation('2010', 'Request has invalid or unsupported property', `minorversion ${minor} is not supported`);
    if (resource === 'companyinfo' && request.method === 'GET')
      return {
        status: 200,
        body: {
          CompanyInfo: { Id: '1', SyncToken: '0', CompanyName: company.name, Country: 'US', domain: 'QBO' },
          time: now(),
        },
      };
    if (resource === 'query' && request.method === 'GET')
      return { status: 200, body: runQuery(company, url.searchParams.get('query') ?? '') };
    if (resource === 'cdc' && request.method === 'GET')
      return {
        status: 200,
        body: runCdc(company, url.searchParams.get('entities') ?? '', url.searchParams.get('changedSince') ?? ''),
      };
    const name = ({ customer: 'Customer', invoice: 'Invoice', payment: 'Payment', item: 'Item' } as const)[resource];
    if (!name)
      return {
        status: 400,
        body: fault('ValidationFault', '4001', 'Unsupported Operation', `Operation ${resource} is not supported`),
      };
    if (request.method === 'GET' && id) {
      const found = company.entities[name].get(id);
      if (!found) throw validation('610', 'Object Not Found', `Object Not Found : ${name} ${id}`);
      return { status: 200, body: { [name]: found, time: now() } };
    }
    if (request.method !== 'POST' || id)
      return { status: 405, body: fault('ValidationFault', '405', 'Method not allowed') };
    if (!/application\/json/.test(request.headers['content-type'] ?? ''))
      throw validation('2010', 'Request has invalid or unsupported property', 'Content-Type must be application/json');
    let parsed: Entity;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw validation('2010', 'Request has invalid or unsupported property', 'Malformed JSON body');
    }
    const requestId = url.searchParams.get('requestid');
    const key = requestId ? `${realmId}/${requestId}` : undefined;
    if (key && replies.has(key)) return replies.get(key)!;
    const stored = writeEntity(company, name, parsed, url.searchParams.get('operation') ?? undefined);
    const reply = { status: 200, body: { [name]: stored, time: now() } };
    if (key) replies.set(key, reply);
    return reply;
  }

  function revokeGrant(realmId: string) {
    for (const [t, r] of refreshTokens) if (r === realmId) refreshTokens.delete(t);
    for (const [t, a] of accessTokens) if (a.realmId === realmId) accessTokens.delete(t);
  }

  function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', intuit_tid: token().slice(0, 12), ...headers });
    response.end(text);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      let parsedBody: unknown = body;
      try {
        parsedBody = body && /json/.test(request.headers['content-type'] ?? '') ? JSON.parse(body) : body;
      } catch {}
      requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: parsedBody,
      });
      const index = injected.findIndex((i) => !i.path || url.pathname.includes(i.path));
      if (index >= 0) {
        const [failure] = injected.splice(index, 1);
        if (failure.afterWrite) await handle(request, url, body).catch(() => undefined);
        if (failure.raw !== undefined) return send(response, failure.status, failure.raw);
        const headers: Record<string, string> =
          failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {};
        const f =
          failure.fault ??
          (failure.status === 429
            ? {
                type: 'ThrottlingFault',
                code: '3001',
                message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
              }
            : {
                type: 'SystemFault',
                code: '10000',
                message: 'An application error has occurred while processing your request',
              });
        return send(response, failure.status, fault(f.type, f.code, f.message, f.detail), headers);
      }
      try {
        const reply = await handle(request, url, body);
        send(response, reply.status, reply.body, reply.headers);
      } catch (error) {
        if (error instanceof FaultError) send(response, error.status, error.body);
        else send(response, 500, fault('SystemFault', '10000', String(error)));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    clientId,
    clientSecret,
    requests,
    companies,
    addCompany,
    /** The company the next consent at `/connect/oauth2` picks (default: the first added). */
    consentAs(realmId: string) {
      consentRealm = realmId;
    },
    /** The next matching request(s) get this answer instead. */
    failNext(failure: Injected, times = 1) {
      for (let i = 0; i < times; i++) injected.push(failure);
    },
    /** Intuit revoked the grant (user disconnected the app, 100 days unused): refresh is `invalid_grant`. */
    revokeGrant,
    expireAccessTokens() {
      for (const access of accessTokens.values()) access.expiresAt = 0;
    },
    entities: (realmId: string, name: EntityName) => [...companies.get(realmId)!.entities[name].values()],
    /** Someone edits an entity in QuickBooks itself: its SyncToken moves on. */
    editInQuickBooks(realmId: string, name: EntityName, id: string, patch: Entity) {
      const company = companies.get(realmId)!;
      return save(company, name, { ...company.entities[name].get(id)!, ...patch });
    },
    /** Someone deletes a payment in QuickBooks: CDC lists it as `{"status": "Deleted", "Id": ...}`. */
    deletePayment(realmId: string, id: string) {
      const company = companies.get(realmId)!;
      const invoices = linkedInvoices(company, company.entities.Payment.get(id)!);
      const gone = { Id: id, status: 'Deleted', domain: 'QBO', MetaData: { LastUpdatedTime: now() } };
      company.entities.Payment.set(id, gone);
      for (const invoice of invoices) refreshBalance(company, invoice);
    },
    /** Someone voids a payment in QuickBooks: it stays, with every amount 0. */
    voidPayment(realmId: string, id: string) {
      const company = companies.get(realmId)!;
      const payment = company.entities.Payment.get(id)!;
      const lines = payment.Line.map((line: Entity) => ({ ...line, Amount: 0 }));
      save(company, 'Payment', { ...payment, TotalAmt: 0, UnappliedAmt: 0, Line: lines, PrivateNote: 'Voided' });
      for (const invoice of linkedInvoices(company, payment)) refreshBalance(company, invoice);
    },
    /** A payment recorded in QuickBooks against one of its invoices. */
    recordPayment(realmId: string, invoiceId: string, amount: number, extra: Entity = {}) {
      const company = companies.get(realmId)!;
      const invoice = company.entities.Invoice.get(invoiceId)!;
      return writeEntity(company, 'Payment', {
        CustomerRef: invoice.CustomerRef,
        TotalAmt: amount,
        CurrencyRef: invoice.CurrencyRef,
        TxnDate: new Date().toISOString().slice(0, 10),
        Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }],
        ...extra,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type QuickBooksFake = Awaited<ReturnType<typeof startQuickBooksFake>>;
