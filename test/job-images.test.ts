// Job photos and signatures: multipart uploads checked by their bytes (images only) and size,
// stored in the file storage, listed under the job, downloaded as they were sent, and removed
// with their row; bad uploads change nothing.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { multipartBody, TINY_PNG, type FilePart } from './support/uploads.ts';
import { fileStorage } from '../src/storage/storage-module.ts';

let ctx: TestContext;
let account: TestAccount;
let job: Record<string, any>;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Photo Co');
  const customer = (await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'Site' } })).body.data;
  job = (await ctx.call('POST', '/v1/jobs', { key: account.key, body: { title: 'Boiler', customer_id: customer.id } }))
    .body.data;
});

const PNG = TINY_PNG;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]);

async function upload(
  path: string,
  fields: Record<string, string>,
  file?: FilePart,
  key = account.key,
  headers: Record<string, string> = {},
) {
  const body = await multipartBody(fields, file);
  return ctx.call('POST', path, { key, rawBody: body.rawBody, headers: { ...body.headers, ...headers } });
}

async function download(path: string) {
  const response = await ctx.app.request(path, { headers: { authorization: `Bearer ${account.key}` } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}
const photoCount = async () =>
  (await ctx.call('GET', '/v1/job-photos?count=true&limit=1', { key: account.key })).body.page.total;

describe('job photos', () => {
  test(
    'a PNG is stored with its checked type, size and hash, ' + 'listed under the job, and downloads byte for byte',
    async () => {
      const uploaded = await upload(
        `/v1/jobs/${job.id}/photos`,
        { caption: 'Before' },
        { bytes: PNG, name: 'before.png' },
      );
      assert.equal(uploaded.status, 200, uploaded.text);
      const photo = uploaded.body.data;
      assert.deepEqual(
        [photo.job_id, photo.caption, photo.content_type, photo.size_bytes, photo.filename],
        [job.id, 'Before', 'image/png', PNG.byteLength, 'before.png'],
      );
      assert.match(photo.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        (await ctx.call('GET', `/v1/jobs/${job.id}/photos`, { key: account.key })).body.data.map((p: any) => p.id),
        [photo.id],
      );
      const content = await download(`/v1/job-photos/${photo.id}/content`);
      assert.deepEqual([content.status, content.type], [200, 'image/png']);
      assert.ok(content.bytes.equals(PNG));
      const [event] = (await ctx.call('GET', '/v1/events?type=job_photo.created', { key: account.key })).body.data;
      assert.equal(event.data.object.id, photo.id);
    },
  );

  test(
    'the type comes from the bytes: a JPEG declared as PNG is a JPEG; ' + 'text declared as an image is a 415',
    async () => {
      const jpeg = (await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: JPEG, type: 'image/png' })).body.data;
      assert.equal(jpeg.content_type, 'image/jpeg');
      const before = await photoCount();
      assertProblem(
        await upload(
          `/v1/jobs/${job.id}/photos`,
          {},
          { bytes: Buffer.from('<svg onload="alert(1)"/>'), type: 'image/png' },
        ),
        415,
        'unsupported_media_type',
      );
      assertProblem(
        await ctx.call('POST', `/v1/jobs/${job.id}/photos`, { key: account.key, body: { caption: 'json, no file' } }),
        415,
        'unsupported_media_type',
      );
      assert.equal(await photoCount(), before);
    },
  );

  test(
    'a file over the limit is a 413; ' + 'a missing file is a 400 and an unknown field a 422; nothing is stored',
    async () => {
      const before = await photoCount();
      const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
      assertProblem(await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: big }), 413, 'payload_too_large');
      assertNames(
        assertProblem(await upload(`/v1/jobs/${job.id}/photos`, { caption: 'x' }), 400, 'bad_request'),
        'file',
      );
      assertNames(
        assertProblem(
          await upload(`/v1/jobs/${job.id}/photos`, { colour: 'red' }, { bytes: PNG }),
          422,
          'validation_failed',
        ),
        'colour',
      );
      assert.equal(await photoCount(), before);
    },
  );

  test(
    "another account's job is a 404, as is another account's photo content; " + 'deleting a photo removes its file',
    async () => {
      const other = await ctx.newAccount('Rival');
      assertProblem(await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: PNG }, other.key), 404, 'not_found');
      const photo = (await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: PNG })).body.data;
      const theirs = await ctx.app.request(`/v1/job-photos/${photo.id}/content`, {
        headers: { authorization: `Bearer ${other.key}` },
      });
      assert.equal(theirs.status, 404);
      assert.equal((await ctx.call('DELETE', `/v1/job-photos/${photo.id}`, { key: account.key })).status, 200);
      assert.equal(await ctx.runtime.use(fileStorage).get(`${account.id}/${photo.id}`), null);
      assert.equal((await download(`/v1/job-photos/${photo.id}/content`)).status, 404);
    },
  );

  test('an Idempotency-Key replays the first upload; the same key with another file is refused', async () => {
    const headers = { 'idempotency-key': `photo-${Date.now()}` };
    const first = await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: PNG }, account.key, headers);
    const again = await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: PNG }, account.key, headers);
    assert.deepEqual([again.headers.get('idempotent-replayed'), again.body.data.id], ['true', first.body.data.id]);
    assertProblem(
      await upload(`/v1/jobs/${job.id}/photos`, {}, { bytes: JPEG }, account.key, headers),
      422,
      'idempotency_key_reused',
    );
    assert.equal(await photoCount(), 1);
  });
});

describe('job signatures', () => {
  test("a signature needs the signer's name and a small image", async () => {
    const signed = await upload(`/v1/jobs/${job.id}/signatures`, { signer_name: 'Ada Lovelace' }, { bytes: PNG });
    assert.equal(signed.status, 200, signed.text);
    assert.deepEqual([signed.body.data.signer_name, signed.body.data.content_type], ['Ada Lovelace', 'image/png']);
    assertNames(
      assertProblem(await upload(`/v1/jobs/${job.id}/signatures`, {}, { bytes: PNG }), 422, 'validation_failed'),
      'signer_name',
    );
    assertProblem(
      await upload(
        `/v1/jobs/${job.id}/signatures`,
        { signer_name: 'Big' },
        { bytes: Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]) },
      ),
      413,
      'payload_too_large',
    );
  });
});
