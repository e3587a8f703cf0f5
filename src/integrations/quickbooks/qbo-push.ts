// Pushing one of our records to QuickBooks: created the first time (with a requestid derived from
// the record, so a page redone after a crash is answered with the entity the first attempt made),
// updated sparsely after (only the fields we own; a stale SyncToken is re-read and retried once:
// we win for those fields), skipped when what we would send has not changed. Dependencies (an
// invoice's customer, a payment's invoice) are pushed on demand. What each push learned is a link
// to write in the page's transaction; a QuickBooks Fault about a record fails that record only.
import { createHash } from 'node:crypto';
import type { Database, Row } from '../../db/database.ts';
import type { QboEntity, QboEntityName, QuickBooksClient } from './qbo-client.ts';
import { QuickBooksError } from './qbo-errors.ts';
import { customerToQbo, displayName, invoiceToQbo, paymentToQbo } from './qbo-mapping.ts';
import { AmountError } from './qbo-money.ts';
import { recordById, type ChangedRecord, type PushCollection } from './qbo-records.ts';

const ENTITY: Record<PushCollection, QboEntityName> = {
  customers: 'Customer',
  invoices: 'Invoice',
  payments: 'Payment',
};

/** What a push decided for one record. */
export interface PushOutcome {
  collection: PushCollection;
  recordId: string;
  outcome: 'created' | 'updated' | 'skipped' | 'failed';
  /** The link to write (absent when nothing changed or the record failed). */
  link?: { externalId: string; metadata: Record<string, unknown> };
  reason?: string;
}

/** A record QuickBooks (or our data) refuses: reported, and the run goes on. */
class RecordRefused extends Error {}
/** QuickBooks' 6240: the DisplayName is taken (the push retries with a unique one). */
class DuplicateName extends RecordRefused {}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');
/** Intuit's requestid: unique per operation, at most 50 characters. */
const requestId = (...parts: string[]) => digest(parts.join('\u0000')).slice(0, 40);
/** An entity older than this when our create returns it is the answer to an earlier attempt (requestid replay). */
const REPLAY_AGE_MS = 2_000;

export class QboPusher {
  /** This page's links so far (a customer pushed for an invoice is then known to the next invoice). */
  readonly #known = new Map<string, { externalId: string; metadata: Record<string, any> }>();
  readonly outcomes: PushOutcome[] = [];

  constructor(
    private readonly client: QuickBooksClient,
    private readonly db: Database,
    private readonly accountId: string,
    private readonly itemRef: string,
  ) {}

  /**
   * The record's link if it is to the connected company: after a reconnect to another company the
   * links to the old one are stale (the record is created in the new one). Payments pulled from
   * QuickBooks stay theirs whichever company they came from.
   */
  #current(link: ChangedRecord['link']): ChangedRecord['link'] {
    if (!link) return undefined;
    return link.metadata.origin === 'quickbooks' || link.metadata.realm === this.client.realmId ? link : undefined;
  }

  /** Pushes the record (and what it needs); its outcome joins `outcomes`. */
  async push(collection: PushCollection, record: ChangedRecord): Promise<void> {
    const key = `${collection}/${record.row.id}`;
    try {
      const outcome = await this.#push(collection, { ...record, link: this.#current(record.link) });
      this.outcomes.push(outcome);
      if (outcome.link) this.#known.set(key, outcome.link);
    } catch (error) {
      if (!(error instanceof RecordRefused)) throw error;
      this.outcomes.push({ collection, recordId: String(record.row.id), outcome: 'failed', reason: error.message });
    }
  }

  /** The QuickBooks id of one of our records, pushing it first when it has none. */
  async #externalIdOf(collection: PushCollection, id: string): Promise<string> {
    const known = this.#known.get(`${collection}/${id}`);
    if (known) return known.externalId;
    const record = await recordById(this.db, this.accountId, collection, id);
    if (!record) throw new RecordRefused(`its ${collection.slice(0, -1)} ${id} cannot be read`);
    const link = this.#current(record.link);
    if (link && link.metadata.origin !== 'quickbooks') {
      this.#known.set(`${collection}/${id}`, link);
      return link.externalId;
    }
    await this.push(collection, record);
    const pushed = this.#known.get(`${collection}/${id}`);
    if (!pushed) throw new RecordRefused(`its ${collection.slice(0, -1)} ${id} could not be pushed first`);
    return pushed.externalId;
  }

  async #body(collection: PushCollection, row: Row): Promise<Row> {
    try {
      if (collection === 'customers') return customerToQbo(row);
      if (collection === 'invoices')
        return invoiceToQbo(row, {
          customerRef: await this.#externalIdOf('customers', row.customer_id),
          itemRef: this.itemRef,
        });
      if (!row.customer_id) throw new RecordRefused('QuickBooks records a payment only from a customer: it has none');
      const customerRef = await this.#externalIdOf('customers', row.customer_id);
      const invoiceRef = row.invoice_id ? await this.#externalIdOf('invoices', row.invoice_id) : undefined;
      return paymentToQbo(row, { customerRef, invoiceRef });
    } catch (error) {
      if (error instanceof AmountError) throw new RecordRefused(error.message);
      throw error;
    }
  }

  async #push(collection: PushCollection, { row, position, link }: ChangedRecord): Promise<PushOutcome> {
    const recordId = String(row.id);
    const done = (outcome: PushOutcome['outcome'], entity?: QboEntity, extra: Row = {}): PushOutcome => ({
      collection,
      recordId,
      outcome,
      link: entity && {
        externalId: entity.Id,
        metadata: {
          origin: 'fieldline',
          realm: this.client.realmId,
          sync_token: entity.SyncToken,
          pushed_at: position.at,
          ...extra,
        },
      },
    });
    // Payments recorded in QuickBooks came from there: never sent back.
    if (link?.metadata.origin === 'quickbooks') return done('skipped');
    if (collection === 'payments' && row.status === 'refunded') {
      if (!link) return done('skipped');
      throw new RecordRefused('refunded in Fieldline: record the refund in QuickBooks (refunds are not synced)');
    }
    if (row.deleted_at) {
      if (!link || link.metadata.hash === 'deleted') return done('skipped');
      const entity = await this.#update(collection, recordId, link, { Active: false });
      return done('updated', entity, { hash: 'deleted' });
    }
    const body = await this.#body(collection, row);
    const hash = digest(JSON.stringify(body)).slice(0, 32);
    const voidNow = collection === 'invoices' && row.status === 'void' && !link?.metadata.voided;
    if (link && link.metadata.hash === hash && !voidNow) return done('skipped');
    let uniqueName = Boolean(link?.metadata.unique_name);
    const write = (sent: Row) =>
      link
        ? this.#update(collection, recordId, link, sent)
        : this.#create(collection, recordId, sent, uniqueName ? 'unique-name' : '');
    let entity: QboEntity;
    try {
      entity = await write(uniqueName ? { ...body, DisplayName: displayName(body.DisplayName, recordId, true) } : body);
    } catch (error) {
      // Another customer, vendor or employee has the name: ours gets its id's tail, from now on.
      if (!(error instanceof DuplicateName) || uniqueName) throw error;
      uniqueName = true;
      entity = await write({ ...body, DisplayName: displayName(body.DisplayName, recordId, true) });
    }
    if (voidNow) entity = await this.#void(recordId, entity);
    const extra = { hash, ...(voidNow ? { voided: true } : {}), ...(uniqueName ? { unique_name: true } : {}) };
    return done(link ? 'updated' : 'created', entity, extra);
  }

  async #create(collection: PushCollection, recordId: string, body: Row, variant: string): Promise<QboEntity> {
    const started = Date.now();
    const entity = await this.client
      .create(ENTITY[collection], body, requestId(this.accountId, collection, recordId, 'create', variant))
      .catch((error) => Promise.reject(refusedOrThrow(error)));
    const createdAt = Date.parse(String(entity.MetaData?.CreateTime ?? ''));
    // A replay of an earlier attempt's create: the record may have changed since, so send it now.
    if (createdAt < started - REPLAY_AGE_MS) {
      const link = { externalId: entity.Id, metadata: { sync_token: entity.SyncToken } };
      return this.#update(collection, recordId, link, body);
    }
    return entity;
  }

  async #update(
    collection: PushCollection,
    recordId: string,
    link: { externalId: string; metadata: Record<string, any> },
    body: Row,
  ): Promise<QboEntity> {
    const name = ENTITY[collection];
    const send = (syncToken: string) =>
      this.client.update(
        name,
        { Id: link.externalId, SyncToken: syncToken },
        body,
        requestId(this.accountId, collection, recordId, syncToken, JSON.stringify(body)),
      );
    try {
      return await send(String(link.metadata.sync_token ?? '0'));
    } catch (error) {
      // Changed in QuickBooks since our last push: read it again and send our fields once more.
      if (!(error instanceof QuickBooksError && error.staleObject)) throw refusedOrThrow(error);
      const current = await this.client.read(name, link.externalId).catch((e) => Promise.reject(refusedOrThrow(e)));
      return send(String(current.SyncToken ?? '0')).catch((again) => Promise.reject(refusedOrThrow(again)));
    }
  }

  async #void(recordId: string, entity: QboEntity): Promise<QboEntity> {
    const target = { Id: entity.Id, SyncToken: String(entity.SyncToken ?? '0') };
    return this.client
      .voidInvoice(target, requestId(this.accountId, 'invoices', recordId, 'void'))
      .catch((error) => Promise.reject(refusedOrThrow(error)));
  }
}

/** A Fault about the record is the record's failure; anything else (throttling, outage) ends the page. */
function refusedOrThrow(error: unknown): unknown {
  if (error instanceof QuickBooksError && error.duplicateName) return new DuplicateName(error.message);
  if (error instanceof QuickBooksError && error.kind === 'fault') return new RecordRefused(error.message);
  return error;
}
