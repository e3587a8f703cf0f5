// Run results -> the Markdown table and the JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { System } from './scenarios.ts';

export interface RunRecord {
  scenario: string;
  connections: number;
  system: System;
  round: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
  serverUsPerRequest: number;
  machineUsPerRequest: number;
  databaseUsPerRequest: number;
  statusCodes: Record<string, number>;
}

export interface Summary {
  scenario: string;
  connections: number;
  system: System;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  serverUsPerRequest: number;
  machineUsPerRequest: number;
  databaseUsPerRequest: number;
  runs: number[];
  /** This system's req/s ÷ bare req/s. */
  ratio: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function summarize(runs: RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = `${run.scenario}\u0000${run.connections}\u0000${run.system}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const rows = [...groups.values()].map((group): Summary => ({
    scenario: group[0].scenario,
    connections: group[0].connections,
    system: group[0].system,
    reqPerSec: mean(group.map((r) => r.reqPerSec)),
    p50Ms: mean(group.map((r) => r.p50Ms)),
    p99Ms: mean(group.map((r) => r.p99Ms)),
    non2xx: sum(group.map((r) => r.non2xx)),
    errors: sum(group.map((r) => r.errors)),
    serverUsPerRequest: mean(group.map((r) => r.serverUsPerRequest)),
    machineUsPerRequest: mean(group.map((r) => r.machineUsPerRequest)),
    databaseUsPerRequest: mean(group.map((r) => r.databaseUsPerRequest)),
    runs: group.map((r) => r.reqPerSec),
    ratio: NaN,
  }));
  for (const row of rows) {
    const bare = rows.find(
      (r) => r.scenario === row.scenario && r.connections === row.connections && r.system === 'bare',
    );
    if (bare && row.system !== 'bare') row.ratio = row.reqPerSec / bare.reqPerSec;
  }
  return rows;
}

/**
 * What traffic control costs: fieldline against core (the same server with it off), per scenario.
 * Rounds alternate the systems, so each round's pair ran seconds apart: their ratios show how far
 * a noisy machine moves the result, which the means alone hide.
 */
export function trafficControlCost(rows: Summary[]): string {
  const lines = [
    '| scenario | conns | req/s change | per round: median (lowest to highest) | server CPU µs/req added | ' +
      'database CPU µs/req added | machine CPU µs/req added |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const fieldline of rows.filter((r) => r.system === 'fieldline')) {
    const core = rows.find(
      (r) => r.scenario === fieldline.scenario && r.connections === fieldline.connections && r.system === 'core',
    );
    if (!core) continue;
    const rounds = fieldline.runs
      .map((reqPerSec, i) => (reqPerSec / core.runs[i] - 1) * 100)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    lines.push(
      `| ${fieldline.scenario} | ${fieldline.connections} | ` +
        `${percent((fieldline.reqPerSec / core.reqPerSec - 1) * 100)} | ` +
        `${percent(median(rounds))} (${percent(rounds[0])} to ${percent(rounds.at(-1)!)}) | ` +
        `${fixed(fieldline.serverUsPerRequest - core.serverUsPerRequest, 0)} | ` +
        `${fixed(fieldline.databaseUsPerRequest - core.databaseUsPerRequest, 0)} | ` +
        `${fixed(fieldline.machineUsPerRequest - core.machineUsPerRequest, 0)} |`,
    );
  }
  return lines.join('\n');
}

const median = (sorted: number[]) =>
  sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const percent = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(0)} %` : '–');
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
/** autocannon's latency histogram has 1 ms resolution: 0 means under a millisecond. */
const millis = (n: number) => (n === 0 ? '<1' : n.toFixed(1));

export function markdownTable(rows: Summary[]): string {
  const header = [
    'scenario',
    'conns',
    'system',
    'req/s (mean)',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    '÷ bare',
    'server µs/req',
    'database µs/req',
    'machine µs/req',
    'req/s per run',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i >= 3 && i <= 11 ? ' ---: ' : ' --- ')).join('|')}|`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.scenario,
        r.connections,
        r.system,
        fixed(r.reqPerSec, 0),
        millis(r.p50Ms),
        millis(r.p99Ms),
        r.non2xx,
        r.errors,
        r.system === 'bare' ? '' : fixed(r.ratio, 2),
        fixed(r.serverUsPerRequest, 0),
        fixed(r.databaseUsPerRequest, 0),
        fixed(r.machineUsPerRequest, 0),
        r.runs.map((v) => v.toFixed(0)).join(' / '),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function writeResults(directory: string, stamp: string, content: unknown): string {
  mkdirSync(directory, { recursive: true });
  const file = `${directory}/${stamp}.json`;
  writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}
