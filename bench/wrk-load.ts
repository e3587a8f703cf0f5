// wrk (a Debian package: `apt-get install wrk`) as the load generator, for a second opinion on
// autocannon's numbers: autocannon runs in Node and saturates before a bare server does, which
// flatters ratios. The scenario's requests become a Lua table that each wrk thread cycles
// through; a `done` hook prints the totals as one JSON line.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Request } from 'autocannon';

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/** A Lua string literal; the requests are ASCII, whose JSON escapes (\" and \\) Lua reads alike. */
function luaString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`wrk requests must be printable ASCII: ${text.slice(0, 80)}`);
  return JSON.stringify(text);
}

function luaScript(requests: Request[], headers: Record<string, string>): string {
  const entries = requests.map((request) => {
    const all = { ...headers, ...(request.headers as Record<string, string> | undefined) };
    const headerTable = Object.entries(all)
      .map(([name, value]) => `[${luaString(name)}] = ${luaString(value)}`)
      .join(', ');
    const body = request.body === undefined ? 'nil' : luaString(String(request.body));
    return `{ ${luaString(request.method ?? 'GET')}, ${luaString(request.path ?? '/')}, { ${headerTable} }, ${body} }`;
  });
  return `local requests = {
${entries.join(',\n')}
}
local cursor = 0
request = function()
  cursor = cursor % #requests + 1
  local r = requests[cursor]
  return wrk.format(r[1], r[2], r[3], r[4])
end
done = function(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
`;
}

/** `connections` connections for `seconds` against `url`, on two threads (this VM's cores). */
export async function wrkLoad(options: {
  url: string;
  requests: Request[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  const folder = mkdtempSync(join(tmpdir(), 'fieldline-wrk-'));
  try {
    const script = join(folder, 'requests.lua');
    writeFileSync(script, luaScript(options.requests, options.headers));
    const threads = Math.min(2, options.connections);
    const { stdout } = await promisify(execFile)('wrk', [
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '-s',
      script,
      options.url,
    ]);
    const line = stdout.split('\n').find((text) => text.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length));
    const errors = r.connect + r.read + r.write + r.timeout;
    return {
      reqPerSec: r.requests / (r.duration_us / 1e6),
      p50Ms: r.p50_us / 1000,
      p99Ms: r.p99_us / 1000,
      total: r.requests,
      non2xx: r.status,
      errors,
      // wrk counts answers outside 2xx and 3xx, not each status.
      statusCodes: { '2xx/3xx': r.requests - r.status, other: r.status },
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
