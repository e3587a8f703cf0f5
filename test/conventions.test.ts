// The API conventions, checked for every resource in the registry: nothing here names a resource.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { Fixtures, sampleValue } from './support/fixtures.ts';
import { matchesFilter, probesFor, toQueryValue } from './support/filter-semantics.ts';
import { queryableFields } from '../src/platform/query/queryable-fields.ts';
import { fieldlineApi } from '../src/main.ts';

const OBJECTS = 7;
const ctxReady = createTestContext();
let ctx: TestContext;
before(async () => {
  ctx = await ctxReady;
});
after(async () => (await ctxReady).close());

async function walk(account: TestAccount, path: string, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const response = await ctx.call('GET', `${path}?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
      key: account.key,
    });
    assert.equal(response.status, 200, response.text);
    ids.push(...response.body.data.map((o: { id: string }) => o.id));
    cursor = response.body.page.next_cursor;
    assert.equal(response.body.page.has_more, cursor !== null);
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

for (const resource of fieldlineApi().registry.resources.filter((r) => r.operations.has('create'))) {
  describe(`${resource.collection}: generic REST conventions`, () => {
    const path = `/v1/${resource.collection}`;
    let account: TestAccount;
    /** What the list holds: objects a new account comes with (its first API key), then those created here. */
    let objects: Record<string, any>[] = [];
    let created: Record<string, any>[] = [];

    before(async () => {
      account = await ctx.newAccount();
      const fixtures = new Fixtures(ctx, account);
      const existing = (await ctx.call('GET', `${path}?limit=100`, { key: account.key })).body.data;
      created = [];
      for (let n = 0; n < OBJECTS; n++) created.push(await fixtures.create(ctx.registry.get(resource.collection), n));
      // Parents created by fixtures live in other collections, so this list holds exactly `objects`.
      objects = [...existing, ...created];
    });

    test('create answers 201 with Location, and GET returns the same object', async () => {
      const [first] = created;
      assert.equal(first.object, resource.name);
      assert.match(first.id, new RegExp(`^${resource.idPrefix}_[0-9A-Z]{26}$`));
      const fetched = await ctx.call('GET', `${path}/${first.id}`, { key: account.key });
      assert.equal(fetched.status, 200);
      // The create response alone may add what the declaration reveals once (a generated secret).
      const revealed = Object.keys(resource.revealedOnCreate ?? {});
      const { ...shown } = first;
      for (const name of revealed) {
        assert.equal(typeof shown[name], 'string', `${name} is in the create response`);
        delete shown[name];
      }
      assert.deepEqual(fetched.body.data, shown);
      assert.deepEqual(Object.keys(first), [...resource.outputFields, ...revealed]);
    });

    const sorts = [
      '',
      ...[...queryableFields(resource)].filter(([, f]) => f.sortable).flatMap(([name]) => [name, `-${name}`]),
    ];
    for (const sort of sorts) {
      test(`cursor pages walk every object exactly once (sort=${sort || 'default'})`, async () => {
        const query = sort ? `sort=${sort}` : '';
        const single = await ctx.call('GET', `${path}?${query}&limit=100`, { key: account.key });
        const expected = single.body.data.map((o: { id: string }) => o.id);
        assert.equal(expected.length, objects.length);
        assert.deepEqual(await walk(account, path, query), expected);
      });
    }

    test('offset paging returns total and the same order as cursors', async () => {
      const all = (await ctx.call('GET', `${path}?limit=100`, { key: account.key })).body.data.map(
        (o: { id: string }) => o.id,
      );
      const page = await ctx.call('GET', `${path}?offset=2&limit=3`, { key: account.key });
      assert.equal(page.body.page.total, objects.length);
      assert.deepEqual(
        page.body.data.map((o: { id: string }) => o.id),
        all.slice(2, 5),
      );
      const counted = await ctx.call('GET', `${path}?count=true&limit=1`, { key: account.key });
      assert.equal(counted.body.page.total, objects.length);
    });

    for (const [field, spec] of queryableFields(resource)) {
      for (const operator of spec.operators) {
        test(`filter ${field}[${operator}] returns exactly the matching objects`, async () => {
          const isTags = spec.kind === 'tags';
          const probes = probesFor(
            operator,
            objects.map((o) => o[field] ?? null),
            isTags,
          );
          for (const probe of probes) {
            const parameter = operator === 'eq' ? field : `${field}[${operator}]`;
            const response = await ctx.call(
              'GET',
              `${path}?${parameter}=${encodeURIComponent(toQueryValue(probe))}&limit=100`,
              { key: account.key },
            );
            assert.equal(response.status, 200, response.text);
            const expected = objects
              .filter((o) => matchesFilter(o[field] ?? null, operator, probe, isTags))
              .map((o) => o.id)
              .sort();
            assert.deepEqual(
              response.body.data.map((o: { id: string }) => o.id).sort(),
              expected,
              `${parameter}=${toQueryValue(probe)}`,
            );
            // A value list may be read as one index range per value (compile-list.ts): pages still
            // come in the list's order, each object once, by cursor and by offset.
            if (!['in', 'ne', 'nin'].includes(operator)) continue;
            const query = `${parameter}=${encodeURIComponent(toQueryValue(probe))}`;
            const ordered = response.body.data.map((o: { id: string }) => o.id);
            assert.deepEqual(await walk(account, path, query), ordered, `${query}, by cursor`);
            const offset = await ctx.call('GET', `${path}?${query}&offset=1&limit=2`, { key: account.key });
            assert.deepEqual(
              offset.body.data.map((o: { id: string }) => o.id),
              ordered.slice(1, 3),
              `${query}, by offset`,
            );
          }
        });
      }
    }

    if (resource.searchFields.length) {
      test('q searches the declared search fields by word prefix', async () => {
        const field = resource.searchFields.find((name) => objects.some((o) => typeof o[name] === 'string'))!;
        const word = String(objects.find((o) => typeof o[field] === 'string')![field]).split(/\s+/)[0];
        const response = await ctx.call('GET', `${path}?q=${encodeURIComponent(word.slice(0, 3))}&limit=100`, {
          key: account.key,
        });
        const expected = objects.filter((o) =>
          resource.searchFields.some(
            (f) =>
              typeof o[f] === 'string' &&
              o[f]
                .toLowerCase()
                .split(/[^\p{L}\p{N}]+/u)
                .some((w: string) => w.startsWith(word.slice(0, 3).toLowerCase())),
          ),
        );
        assert.deepEqual(response.body.data.map((o: { id: string }) => o.id).sort(), expected.map((o) => o.id).sort());
        assert.ok(expected.length > 0);
      });
    }

    test('fields returns only the requested fields plus id and object', async () => {
      const field = Object.keys(resource.fields)[0];
      const list = await ctx.call('GET', `${path}?fields=${field}`, { key: account.key });
      for (const object of list.body.data) assert.deepEqual(Object.keys(object).sort(), ['id', 'object', field].sort());
      const one = await ctx.call('GET', `${path}/${objects[0].id}?fields=${field}`, { key: account.key });
      assert.deepEqual(Object.keys(one.body.data).sort(), ['id', 'object', field].sort());
    });

    for (const [field, spec] of Object.entries(resource.fields).filter(([, s]) => s.ref?.expandAs)) {
      test(`expand=${spec.ref!.expandAs} embeds the referenced object`, async () => {
        const list = await ctx.call('GET', `${path}?expand=${spec.ref!.expandAs}&limit=100`, { key: account.key });
        for (const object of list.body.data) {
          const embedded = object[spec.ref!.expandAs!];
          if (object[field] === null) assert.equal(embedded, null);
          else assert.equal(embedded.id, object[field]);
        }
      });
    }

    if (resource.operations.has('export')) {
      test('export (json and csv) holds the same objects as the list', async () => {
        const listed = (await ctx.call('GET', `${path}?limit=100`, { key: account.key })).body.data;
        const json = await ctx.call('GET', `${path}/export?format=json`, { key: account.key });
        assert.equal(json.status, 200);
        assert.match(json.headers.get('content-disposition') ?? '', /attachment; filename=".+\.json"/);
        assert.deepEqual(json.body, listed);
        const csv = await ctx.call('GET', `${path}/export?format=csv`, { key: account.key });
        const lines = csv.text.trimEnd().split('\r\n');
        assert.equal(lines[0], resource.outputFields.join(','));
        assert.deepEqual(
          lines.slice(1).map((line) => line.split(',')[0]),
          listed.map((o: { id: string }) => o.id),
        );
        const aliased = await ctx.call('GET', `/v1/exports/${resource.collection}?format=json`, { key: account.key });
        assert.deepEqual([aliased.status, aliased.body], [200, listed], 'the same export at /v1/exports/{collection}');
      });
    }

    if (resource.operations.has('update')) {
      test('PATCH changes writable fields, leaves the rest, and records previous_attributes', async () => {
        const [name, spec] = Object.entries(resource.fields).find(
          ([, s]) => s.access === 'writable' && !s.ref && !s.unique && s.kind !== 'json',
        )!;
        const target = objects[objects.length - 1];
        const value = [1, 2, 3, 5]
          .map((n) => sampleValue(spec, n))
          .find((v) => v !== undefined && JSON.stringify(v) !== JSON.stringify(target[name]));
        assert.notEqual(value, undefined, `no second sample value for ${name}`);
        const updated = await ctx.call('PATCH', `${path}/${target.id}`, { key: account.key, body: { [name]: value } });
        assert.equal(updated.status, 200, updated.text);
        assert.deepEqual(updated.body.data[name], value);
        for (const other of Object.keys(resource.fields))
          if (other !== name) assert.deepEqual(updated.body.data[other], target[other]);
        const events = await ctx.call('GET', `/v1/events?type=${resource.name}.updated`, { key: account.key });
        assert.deepEqual(events.body.data[0].data.previous_attributes, { [name]: target[name] });
        assert.deepEqual(events.body.data[0].data.object, updated.body.data);
        objects[objects.length - 1] = updated.body.data;
      });
    }

    if (resource.operations.has('delete')) {
      test('DELETE answers the deleted stub, then the object is gone from get and list', async () => {
        const target = created[0];
        const deleted = await ctx.call('DELETE', `${path}/${target.id}`, { key: account.key });
        assert.equal(deleted.status, 200, deleted.text);
        assert.deepEqual(deleted.body.data, { id: target.id, object: resource.name, deleted: true });
        assert.equal((await ctx.call('GET', `${path}/${target.id}`, { key: account.key })).status, 404);
        const listed = await ctx.call('GET', `${path}?limit=100`, { key: account.key });
        assert.ok(!listed.body.data.some((o: { id: string }) => o.id === target.id));
        objects = objects.filter((o) => o.id !== target.id);
      });
    }
  });
}
