// The QuickBooks sync, one page per step: push our customers, then our sent invoices, then our
// payments changed since the last run (a scan by updated_at and id, in pages of 25), then pull the
// payments recorded in QuickBooks (CDC since the last pull). The cursor says which phase and where;
// the runner stores it with the page's links in one transaction, so a crash redoes one page, whose
// QuickBooks writes are answered from their requestid instead of being made twice. Each run's scan
// starts a minute before where the last one ended: a write that committed late is still seen, and
// a record seen again unchanged costs no call (its link keeps a hash of what was sent).
import { z } from 'zod';
import type { SyncKind, SyncStep, SyncWrite } from '../connector.ts';
import { readIntegration } from '../integration-rows.ts';
import { ProviderRefused } from '../provider-api.ts';
import type { QuickBooksClient } from './qbo-client.ts';
import { asProviderError, clientFor, connectedRealm, settingsOf } from './qbo-connection.ts';
import { changedPayments, recordPulledPayments } from './qbo-pull.ts';
import { QboPusher } from './qbo-push.ts';
import { changedRecords, PROVIDER, PUSH_ORDER, type Position, type PushCollection } from './qbo-records.ts';

const PAGE = 25;
/** Each run rescans this much before where the last run's scan ended. */
const OVERLAP_MS = 60_000;

const PositionSchema = z.object({ at: z.string().max(40), id: z.string().max(100) });
const Phase = z.enum(['customers', 'invoices', 'payments', 'pull']);

export const QboCursor = z.object({
  phase: Phase,
  /** Within the phase's scan: the last record done. */
  position: PositionSchema.nullable(),
  /** Where each collection's last completed scan ended. */
  marks: z.object({
    customers: z.string().max(40).nullable(),
    invoices: z.string().max(40).nullable(),
    payments: z.string().max(40).nullable(),
  }),
  /** The pull's changedSince. */
  changedSince: z.string().max(40).nullable(),
  /** The service item invoice lines are sold as. */
  itemRef: z.string().max(64).nullable(),
  /** The company this cursor is about; another one connected since starts afresh. */
  realmId: z.string().max(32).nullable().default(null),
});
export type QboCursor = z.infer<typeof QboCursor>;

const FRESH: QboCursor = {
  phase: 'customers',
  position: null,
  marks: { customers: null, invoices: null, payments: null },
  changedSince: null,
  itemRef: null,
  realmId: null,
};

/** Where a new scan of `collection` starts: a minute before the last one ended, or the beginning. */
function scanStart(cursor: QboCursor, collection: PushCollection): Position | null {
  const mark = cursor.marks[collection];
  return mark ? { at: new Date(Date.parse(mark) - OVERLAP_MS).toISOString(), id: '' } : null;
}

/** The service item every line is sold as: the company's `Services`, else its first active service. */
async function serviceItem(client: QuickBooksClient): Promise<string> {
  const [named] = await client.query('Item', "Name = 'Services'");
  if (named) return named.Id;
  const [any] = await client.query('Item', "Type = 'Service'");
  if (any) return any.Id;
  throw new ProviderRefused(400, 'QuickBooks has no service item: create one named "Services" in QuickBooks');
}

function tallyPush(write: SyncWrite, pusher: QboPusher) {
  for (const outcome of pusher.outcomes) {
    if (outcome.link)
      write.links.upsert({ collection: outcome.collection, recordId: outcome.recordId, ...outcome.link });
    if (outcome.outcome === 'failed') write.tally.failed(outcome.recordId, outcome.reason ?? 'refused');
    else write.tally[outcome.outcome]();
  }
}

export const accountingSync: SyncKind<QboCursor> = {
  description:
    'Pushes customers, sent invoices (with tax) and payments changed since the last run to QuickBooks Online, ' +
    'then records the payments entered in QuickBooks against those invoices.',
  cursor: QboCursor,
  async step({ cursor: stored, api, accountId, runtime, settings }): Promise<SyncStep<QboCursor>> {
    const realmId = await connectedRealm(runtime, accountId);
    // Another company than the last run's: everything is pushed to it, its payments pulled from now.
    const cursor = stored?.realmId === realmId ? structuredClone(stored) : { ...structuredClone(FRESH), realmId };
    const client = clientFor(settingsOf(settings), api, realmId);
    try {
      if (cursor.phase === 'pull') {
        const integration = await readIntegration(runtime.db, accountId, PROVIDER);
        const connectedAt = new Date(String(integration?.connected_at ?? new Date().toISOString()));
        const since = cursor.changedSince ? new Date(cursor.changedSince) : new Date(connectedAt.getTime() - 60_000);
        const page = await changedPayments(client, since);
        const next: QboCursor = page.more
          ? { ...cursor, changedSince: page.next }
          : { ...cursor, phase: 'customers', position: null, changedSince: page.next };
        return {
          cursor: next,
          done: !page.more,
          write: (write) => recordPulledPayments(write, page.payments, realmId),
        };
      }
      const collection = cursor.phase;
      cursor.itemRef ??= await serviceItem(client);
      const after = cursor.position ?? scanStart(cursor, collection);
      const records = await changedRecords(runtime.db, accountId, collection, after, PAGE);
      const pusher = new QboPusher(client, runtime.db, accountId, cursor.itemRef);
      for (const record of records) await pusher.push(collection, record);
      const last = records.at(-1)?.position;
      const next: QboCursor =
        records.length === PAGE
          ? { ...cursor, position: last! }
          : {
              ...cursor,
              phase: PUSH_ORDER[PUSH_ORDER.indexOf(collection) + 1] ?? 'pull',
              position: null,
              marks: { ...cursor.marks, [collection]: last?.at ?? cursor.position?.at ?? cursor.marks[collection] },
            };
      return { cursor: next, done: false, write: async (write) => tallyPush(write, pusher) };
    } catch (error) {
      throw asProviderError(error);
    }
  },
};
