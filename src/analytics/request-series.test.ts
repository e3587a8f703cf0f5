import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { RequestSeries } from './request-series.ts';

test(
  'requests are counted by method, route and status; ' + 'latency is a cumulative histogram by method and route',
  async () => {
    const registry = new Registry();
    const series = new RequestSeries(registry);
    series.observe('GET', '/v1/jobs', 200, 0.003);
    series.observe('GET', '/v1/jobs', 404, 0.2);
    series.observe('GET', '/v1/jobs', 200, 9);
    series.observe('POST', '/v1/jobs', 201, 0.005);
    const text = await registry.metrics();

    assert.match(text, /^# TYPE fieldline_http_requests_total counter$/m);
    assert.match(text, /^fieldline_http_requests_total\{method="GET",route="\/v1\/jobs",status="200"\} 2$/m);
    assert.match(text, /^fieldline_http_requests_total\{method="GET",route="\/v1\/jobs",status="404"\} 1$/m);
    assert.match(text, /^# TYPE fieldline_http_request_duration_seconds histogram$/m);
    // Buckets are upper bounds, inclusive (0.005 falls in le="0.005"), and cumulative.
    assert.match(
      text,
      /^fieldline_http_request_duration_seconds_bucket\{le="0.0025",method="GET",route="\/v1\/jobs"\} 0$/m,
    );
    assert.match(
      text,
      /^fieldline_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/jobs"\} 1$/m,
    );
    assert.match(
      text,
      /^fieldline_http_request_duration_seconds_bucket\{le="0.25",method="GET",route="\/v1\/jobs"\} 2$/m,
    );
    assert.match(
      text,
      /^fieldline_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v1\/jobs"\} 3$/m,
    );
    assert.match(
      text,
      /^fieldline_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/jobs"\} 1$/m,
    );
    assert.match(text, /^fieldline_http_request_duration_seconds_sum\{method="GET",route="\/v1\/jobs"\} 9.203$/m);
    assert.match(text, /^fieldline_http_request_duration_seconds_count\{method="GET",route="\/v1\/jobs"\} 3$/m);
  },
);

test('two registries never share series', async () => {
  const first = new Registry();
  new RequestSeries(first).observe('GET', '/v1/jobs', 200, 0.01);
  const second = new Registry();
  new RequestSeries(second);
  assert.doesNotMatch(await second.metrics(), /route="\/v1\/jobs"/);
});
