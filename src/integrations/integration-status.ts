// `GET /v1/integrations/{provider}/status`: the account's connection to one provider as people
// read it, also when it never connected (no integration row yet).
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import type { Connector } from './connector.ts';
import { INTEGRATION_STATES } from './integrations-resource.ts';

export const IntegrationStatus = z.object({
  object: z.literal('integration_status'),
  provider: z.string(),
  title: z.string().describe('The provider as people name it.'),
  connected: z.boolean(),
  status: z.enum(INTEGRATION_STATES).describe('`disconnected` also when it never connected.'),
  integration_id: z.string().nullable(),
  identity: z.string().nullable().describe('Who the connection acts as: the mailbox address, the company.'),
  scopes: z.array(z.string()),
  connected_at: z.string().nullable(),
  last_sync_at: z.string().nullable(),
  last_sync_status: z.enum(['succeeded', 'failed']).nullable(),
  last_sync_id: z.string().nullable(),
  last_error: z.string().nullable(),
  syncs: z.array(z.string()).describe('The kinds of sync it offers (`POST .../sync` with `kind`).'),
  sends_mail: z.boolean().describe('A mailbox: email conversations send through it while connected.'),
});
export type IntegrationStatus = z.infer<typeof IntegrationStatus>;

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

export function statusOf(connector: Connector, row: Row | undefined): IntegrationStatus {
  return {
    object: 'integration_status',
    provider: connector.provider,
    title: connector.title,
    connected: row?.status === 'connected' || row?.status === 'error',
    status: row?.status ?? 'disconnected',
    integration_id: row?.id ?? null,
    identity: row?.identity ?? null,
    scopes: row?.scopes ?? [],
    connected_at: iso(row?.connected_at),
    last_sync_at: iso(row?.last_sync_at),
    last_sync_status: row?.last_sync_status ?? null,
    last_sync_id: row?.last_sync_id ?? null,
    last_error: row?.last_error ?? null,
    syncs: Object.keys(connector.syncs),
    sends_mail: Boolean(connector.sendMail),
  };
}
