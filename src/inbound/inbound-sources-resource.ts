// Inbound sources: a provider (Stripe, a voice agent, ElevenLabs) allowed to post events into the
// account. Each has its own URL token and the provider's signing secret, kept encrypted and
// never shown again.
import { randomBytes } from 'node:crypto';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';
import { INBOUND_PROVIDERS, INBOUND_PROVIDER_NAMES } from './inbound-providers.ts';

export const INBOUND_PATH = '/v1/inbound/{provider}/{token}';
const providerList = Object.values(INBOUND_PROVIDERS)
  .map((p) => `\`${p.name}\`: ${p.secretDescription}`)
  .join(' ');

export const inboundSources = defineResource({
  name: 'inbound_source',
  collection: 'inbound-sources',
  idPrefix: 'ibs',
  description:
    'A provider allowed to post signed events into the account at `url_path`. ' +
    'Every request it sends is logged under `/v1/inbound-sources/{id}/requests`.',
  softDelete: true,
  lifecycle: { field: 'status' },
  fields: {
    provider: field.enum(INBOUND_PROVIDER_NAMES).required().createOnly().filterable(),
    description: field.text({ max: 500 }).searchable(),
    signing_secret: field
      // Each provider's secretProblem checks its own shape (Stripe's whsec_, ElevenLabs' own).
      .secret({ pattern: /^\S+$/, message: 'Expected a signing secret without spaces' })
      .required()
      .describe(`Verifies the provider's signatures. Write-only: stored encrypted, never returned. ${providerList}`)
      .example('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    url_path: field
      .text()
      .readOnly()
      .describe(
        'Give the provider this path on your Fieldline host: `/v1/inbound/{provider}/{token}`. ' +
          'The token only routes; the signature authenticates.',
      ),
    status: field.enum(['enabled', 'disabled']).readOnly().default('enabled').filterable(),
  },
  hooks: {
    validate: async ({ row }) => {
      if (row.signing_secret === undefined) return; // an update that keeps the secret
      const problem = INBOUND_PROVIDERS[row.provider].secretProblem(row.signing_secret);
      if (problem) throw validationFailed([{ path: 'signing_secret', message: problem }]);
    },
    beforeCreate: async ({ row }) => {
      row.url_path = INBOUND_PATH.replace('{provider}', row.provider).replace(
        '{token}',
        `ibt_${randomBytes(18).toString('base64url')}`,
      );
    },
  },
  actions: {
    enable: { summary: "Accept the provider's requests again", from: ['disabled'], to: 'enabled', event: 'enabled' },
    disable: {
      summary: "Refuse the provider's requests (404) until enabled",
      from: ['enabled'],
      to: 'disabled',
      event: 'disabled',
    },
  },
  // The route finds a source by its URL alone, before it knows the account.
  schema: ['CREATE UNIQUE INDEX IF NOT EXISTS inbound_sources_url_path_key ON inbound_sources (url_path)'],
});
