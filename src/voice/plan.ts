// A voice command's plan: the tool calls it takes, in order. A step's arguments may name what an
// earlier step found or made (`{ $ref: 'customer.id' }`), so lookups resolve the references of
// later steps; `{ $append: 'customer.notes', text }` adds a line to what the record holds when
// the step runs (a note never replaces what was there). This file holds the shapes and the
// resolution of references; run-steps.ts runs them.
import { z } from 'zod';

export const STEP_STATUSES = ['done', 'planned', 'not_allowed', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** How a read step picks the one record later steps act on, when it finds several. */
export interface PickRule {
  /** What is looked for, in words: `customer`, `job`, `technician`. */
  noun: string;
  /** The field compared with what was said, and what was said. */
  field?: string;
  said?: string;
  /** Compare only the first word of the field (a technician called by first name). */
  firstWord?: boolean;
}

/** What a command was understood to mean: its intent and the steps of its plan. */
export interface Understood {
  intent: string;
  steps: StepSpec[];
}

/** A step as the grammar or the model proposes it. */
export interface StepSpec {
  tool: string;
  arguments: Record<string, unknown>;
  /** What the step is for, in words. */
  purpose: string;
  /** Names the record it finds (a read, with `pick`) or makes (a write) for later steps. */
  bind?: string;
  pick?: PickRule;
}

export const candidateSchema = z.object({ id: z.string(), name: z.string() });
export type Candidate = z.infer<typeof candidateSchema>;

export const stepSchema = z.object({
  tool: z.string().describe('The MCP tool (and so the API operation) the step calls.'),
  purpose: z.string(),
  arguments: z
    .record(z.string(), z.unknown())
    .describe('The tool’s arguments; `{"$ref": "job.id"}` stands for what an earlier write makes when it runs.'),
  read_only: z.boolean().describe('Reads run at once; writes only once the command is confirmed.'),
  status: z.enum(STEP_STATUSES),
  summary: z.string().nullable().describe('What the step found or did, or why it did not run.'),
  missing_scope: z.string().nullable().describe('For a `not_allowed` step: the scope the credential lacks.'),
  result: z.unknown().nullable().describe('What it answered, shortened: ids, names and states.'),
  error: z.record(z.string(), z.unknown()).nullable().describe('For a `failed` step: the problem details.'),
  candidates: z
    .array(candidateSchema)
    .nullable()
    .describe('For a lookup that found several records, or none: those it found (say the command again).'),
});
export type Step = z.infer<typeof stepSchema>;

/** A record a step found or made, by the name later steps use. */
export interface Binding {
  collection: string;
  id: string;
  label: string;
  record: Record<string, unknown>;
  /** Bound by a read (checked again on confirmation) or a write. */
  by: 'read' | 'write';
}

export type Bindings = Map<string, Binding>;

export const ref = (path: string) => ({ $ref: path });
export const append = (path: string, text: string) => ({ $append: path, text });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Arguments with the references that `bindings` can resolve resolved; `missing` names the others' bindings. */
export function resolveArguments(args: Record<string, unknown>, bindings: Bindings) {
  const missing = new Set<string>();
  /** The bound record a path (`job.id`) names, or undefined when nothing is bound under its name yet. */
  const recordOf = (path: string) => {
    const name = path.split('.')[0];
    const binding = bindings.get(name);
    if (!binding) missing.add(name);
    return binding?.record;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!isObject(value)) return value;
    if (typeof value.$ref === 'string') {
      const record = recordOf(value.$ref);
      return record ? record[value.$ref.split('.')[1]] : value;
    }
    if (typeof value.$append === 'string') {
      const record = recordOf(value.$append);
      if (!record) return value;
      const before = record[value.$append.split('.')[1]];
      return typeof before === 'string' && before.trim() ? `${before}\n${value.text}` : value.text;
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
  };
  const resolved = walk(args) as Record<string, unknown>;
  return { resolved, missing: [...missing] };
}

/** The name an object goes by in a summary: its name, title, number or memo. */
export function labelOf(record: Record<string, unknown>): string {
  for (const field of ['name', 'title', 'number', 'memo', 'subject', 'email'])
    if (typeof record[field] === 'string' && record[field]) return record[field] as string;
  return String(record.id ?? '');
}

const normal = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The one record among `rows` the rule picks: the only one, else the only one whose field is what
 * was said, else the only one whose field holds every word said; several or none is ambiguous.
 */
export function pickOne(
  rows: readonly Record<string, unknown>[],
  rule: PickRule,
): { picked: Record<string, unknown> } | { candidates: Candidate[] } {
  if (rows.length === 1) return { picked: rows[0] };
  if (rule.field && rule.said) {
    const said = normal(rule.said);
    const valueOf = (row: Record<string, unknown>) => {
      const value = normal(String(row[rule.field!] ?? ''));
      return rule.firstWord ? value.split(' ')[0] : value;
    };
    const exact = rows.filter((row) => valueOf(row) === said);
    if (exact.length === 1) return { picked: exact[0] };
    const words = said.split(' ');
    const holding = rows.filter((row) => {
      const have = new Set(valueOf(row).split(' '));
      return words.every((word) => have.has(word));
    });
    if (holding.length === 1 && exact.length === 0) return { picked: holding[0] };
  }
  return { candidates: rows.slice(0, 10).map((row) => ({ id: String(row.id), name: labelOf(row) })) };
}
