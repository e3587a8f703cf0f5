import { before, after } from 'node:test';
// Checks for refused requests: the documented RFC 9457 problem (application/problem+json with
// type, title, status, code, detail and the request id of the X-Request-Id header), and proof
// that the refusal changed nothing (the account's event count, the target collection's count
// and, when named, one object read the same before and after).
import assert from 'node:assert/strict';
import { Fixtures } from './fixtures.ts';
import type { CallOptions, CallResult, TestAccount, TestContext } from './test-context.ts';
import { createTestContext } from './test-context.ts';
import type { ResourceDefinition } from '../../src/platform/contract.ts';

export const MiB = 1024 * 1024;
/** A well-formed id body (26 Crockford base32 characters) that no object has. */
export const UNUSED_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** The documented problem-details shape, with the request id echoed in the header. */
export function assertProblem(res: CallResult, status: number, code: string): any {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json\b/);
  const body = res.body;
  assert.equal(typeof body, 'object', 'the body is a JSON object');
  assert.equal(body.type, `https://fieldline.dev/errors/${code}`);
  assert.equal(typeof body.title, 'string');
  assert.ok(body.title.length > 0, 'title is not empty');
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(typeof body.detail, 'string');
  assert.ok(body.detail.length > 0, 'detail is not empty');
  assert.equal(typeof body.request_id, 'string');
  assert.ok(body.request_id.length > 0, 'request_id is not empty');
  assert.equal(body.request_id, res.headers.get('x-request-id'), 'request_id is the X-Request-Id header');
  return body;
}

/** The error list names `path` (exactly), and so does the detail. */
export function assertNames(body: any, path: string): void {
  assert.ok(Array.isArray(body.errors), `errors[] is present: ${JSON.stringify(body)}`);
  assert.ok(
    body.errors.some((e: any) => e.path === path),
    `errors[].path names '${path}': ${JSON.stringify(body.errors)}`,
  );
  for (const e of body.errors) assert.equal(typeof e.message, 'string');
  assert.ok(body.detail.includes(path), `detail names '${path}': ${body.detail}`);
}

export interface Expectation {
  status: number;
  code: string;
  /** The collection whose list total must not move (default customers). */
  target?: string;
  /** An object that must read the same afterwards (`/v1/{collection}/{id}`). */
  object?: string;
}

/** Call options that send no credential. */
export const withoutKey = { key: undefined } as const;
/** Call options sending `rawBody` as is, labelled application/json. */
export const json = (rawBody: string, extra: Record<string, string> = {}): CallOptions => ({
  rawBody,
  headers: { 'content-type': 'application/json', ...extra },
});

/**
 * One account with one live object per collection that has `create` (made by Fixtures, referenced
 * collections first) and a second customer, so lists have more than one page at limit=1.
 */
export class RefusalChecks {
  private constructor(
    readonly ctx: TestContext,
    readonly owner: TestAccount,
    readonly fixtures: Fixtures,
    /** Collection name to the id of its live object. */
    readonly existing: Readonly<Record<string, string>>,
  ) {}

  static async open(ctx: TestContext, accountName = 'Bad Input Co'): Promise<RefusalChecks> {
    // Enterprise rates: the suite walks every route of every collection with one key.
    const owner = await ctx.newAccount(accountName, { plan: 'enterprise' });
    const fixtures = new Fixtures(ctx, owner);
    const existing: Record<string, string> = {};
    for (const resource of ctx.registry.resources.filter((r) => r.operations.has('create'))) {
      existing[resource.collection] = await fixtures.parent(resource.collection);
    }
    const second = await ctx.call('POST', '/v1/customers', { key: owner.key, body: { name: 'Second Customer' } });
    assert.equal(second.status, 201, second.text);
    return new RefusalChecks(ctx, owner, fixtures, existing);
  }

  creatable = (): ResourceDefinition[] => this.ctx.registry.resources.filter((r) => r.operations.has('create'));
  updatable = (): ResourceDefinition[] =>
    this.ctx.registry.resources.filter((r) => r.operations.has('update') && r.operations.has('create'));
  listable = (): ResourceDefinition[] => this.ctx.registry.resources.filter((r) => r.operations.has('list'));

  /** `/v1/{collection}/{id}` of the collection's live object. */
  itemPath(collection: string): string {
    const id = this.existing[collection];
    assert.ok(id, `a live ${collection} object`);
    return `/v1/${collection}/${id}`;
  }

  /**
   * A create body the resource accepts, for one that is valid but for one thing: n = 0 gives the
   * required fields, optional ones null and no optional references, and unique values unlike
   * those of the live objects (n = 1). bad-input-bodies proves each is accepted, building it with
   * another account's `fixtures`.
   */
  createBody(resource: ResourceDefinition, fixtures: Fixtures = this.fixtures): Promise<Record<string, unknown>> {
    return fixtures.body(resource, 0);
  }

  async total(path: string): Promise<number> {
    const res = await this.ctx.call('GET', `${path}?count=true&limit=1`, { key: this.owner.key });
    assert.equal(res.status, 200, res.text);
    return res.body.page.total;
  }

  /**
   * The collection whose total proves nothing was written. A collection the API cannot write
   * (request-logs grows with every request by design, flushed in the background) proves nothing,
   * so customers stands in for it.
   */
  private measurable(collection = 'customers'): string {
    const resource = this.ctx.registry.resources.find((r) => r.collection === collection);
    const writable = resource && (['create', 'update', 'delete'] as const).some((op) => resource.operations.has(op));
    return writable ? collection : 'customers';
  }

  /** Sends a request that must be refused; proves it was refused and that nothing changed. */
  async rejects(method: string, path: string, options: CallOptions, expected: Expectation): Promise<any> {
    const target = `/v1/${this.measurable(expected.target)}`;
    const read = async (object: string) => (await this.ctx.call('GET', object, { key: this.owner.key })).body;
    const before = { events: await this.total('/v1/events'), list: await this.total(target) };
    const objectBefore = expected.object ? await read(expected.object) : undefined;
    const res = await this.ctx.call(method, path, { key: this.owner.key, ...options });
    const body = assertProblem(res, expected.status, expected.code);
    if (!options.headers?.['x-request-id']) assert.match(body.request_id, /^req_[0-9A-Z]{26}$/);
    const afterwards = { events: await this.total('/v1/events'), list: await this.total(target) };
    assert.deepEqual(afterwards, before, `${method} ${path} changed nothing (events and ${target} totals)`);
    if (expected.object) assert.deepEqual(await read(expected.object), objectBefore, `${expected.object} is unchanged`);
    return Object.assign(body, { headers: res.headers });
  }
}

/** Registers this file's before/after hooks: a fresh test context and its refusal checks. */
export function refusalChecksForThisFile(): { ctx: TestContext; api: RefusalChecks } {
  const suite = {} as { ctx: TestContext; api: RefusalChecks };
  before(async () => {
    suite.ctx = await createTestContext();
    suite.api = await RefusalChecks.open(suite.ctx);
  });
  after(async () => {
    await suite.ctx?.close();
  });
  return suite;
}
