// Email templates: a subject, a text body and an optional HTML body written in Mustache
// (`{{contact.first_name}}`). A template is checked when saved (syntax, no partials, nothing
// unescaped in HTML; see src/messaging/email-rendering.ts) and lists the variables it uses.
// Preview renders it with given values, or with a contact's, and lists what is missing.
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { hasScope } from '../platform/operations/principal.ts';
import { loadReferencedOrThrow, loadRowOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { Row } from '../db/database.ts';
import {
  renderEmail,
  templateVariables,
  TemplateProblem,
  type EmailTemplateParts,
  type TemplateVariables,
} from '../messaging/email-rendering.ts';
import type { OperationContext } from '../platform/contract.ts';

/** What a template can say about one contact: `{{contact.first_name}}`, `{{contact.email}}`, ... */
export function contactVariables(ctx: OperationContext, contact: Row): TemplateVariables {
  return { contact: serialize(ctx.registry.get('contacts'), contact) };
}

function variablesOrProblem(template: EmailTemplateParts) {
  try {
    return templateVariables(template);
  } catch (error) {
    if (error instanceof TemplateProblem) throw validationFailed([{ path: error.part, message: error.message }]);
    throw error;
  }
}

const TEMPLATE_HELP =
  'Mustache: `{{name}}`, dotted paths (`{{contact.first_name}}`), sections (`{{#items}}…{{/items}}`).';

export const emailTemplates = defineResource({
  name: 'email_template',
  collection: 'email-templates',
  idPrefix: 'etpl',
  description: `An email to send to many people (campaigns) with per-person values. ${TEMPLATE_HELP}`,
  searchTitle: ['name'],
  fields: {
    name: field
      .text({ min: 1, max: 200 })
      .required()
      .filterable()
      .sortable()
      .searchable()
      .example('Spring tune-up offer'),
    subject: field
      .text({ min: 1, max: 998 })
      .required()
      .searchable()
      .example('{{contact.first_name}}, your spring tune-up')
      .describe(`The subject line. ${TEMPLATE_HELP}`),
    text_body: field
      .text({ min: 1, max: 100_000 })
      .required()
      .example('Hi {{contact.first_name}},\nBook your tune-up this month and save 15%.')
      .describe('The plain-text body; values are inserted as typed.'),
    html_body: field
      .text({ max: 200_000 })
      .example('<p>Hi {{contact.first_name}},</p>')
      .describe('The HTML body, optional. Every value is HTML-escaped; `{{{x}}}` and `{{& x}}` are refused.'),
    variables: field.tags().readOnly().describe('Every variable the template uses (computed when saved).'),
  },
  hooks: {
    validate: async ({ row }) => {
      variablesOrProblem(row as EmailTemplateParts);
    },
    compute: (row) => {
      try {
        return { variables: templateVariables(row as EmailTemplateParts).all.slice(0, 50) };
      } catch {
        return { variables: [] }; // validate refuses it
      }
    },
  },
  endpoints: [
    resourceEndpoint({
      method: 'post',
      path: '/{id}/preview',
      operationId: 'previewEmailTemplate',
      access: 'read',
      summary: 'Render an email template with sample values',
      description:
        'Renders the subject, text and HTML with `variables`, ' +
        "and with a contact's fields as `contact` when `contact_id` is given " +
        '(what a campaign sends that contact). ' +
        'Variables the values lack render empty and are listed in `missing_variables`. Changes nothing.',
      input: z.strictObject({
        variables: z
          .record(z.string(), z.unknown())
          .default({})
          .describe('Values by name; objects give dotted paths (`{"contact": {"first_name": "Ada"}}`).'),
        contact_id: idOfSchema('contacts')
          .optional()
          .describe('Fill `contact` from this contact (given `variables` win).'),
      }),
      answers: z.object({
        object: z.literal('email_preview'),
        template_id: z.string(),
        subject: z.string(),
        text: z.string(),
        html: z.string().nullable(),
        missing_variables: z
          .array(z.string())
          .describe('Variables the template uses that no value was given for; they render empty.'),
      }),
      async run({ input, params, ctx }) {
        const template = await loadRowOrThrow(ctx, ctx.registry.get('email-templates'), params.id);
        // A contact's fields are contact data: previewing with them takes the right to read contacts.
        if (input.contact_id && !hasScope(ctx.principal, 'read:contacts'))
          throw new ApiError('insufficient_scope', 'Previewing with a contact_id needs the read:contacts scope', {
            scopes: ['read:contacts'],
          });
        const contact = input.contact_id
          ? contactVariables(
              ctx,
              await loadReferencedOrThrow(ctx, ctx.registry.get('contacts'), input.contact_id, 'contact_id'),
            )
          : {};
        const rendered = renderEmail(template as EmailTemplateParts, { ...contact, ...input.variables });
        return { object: 'email_preview', template_id: template.id, ...rendered };
      },
    }),
  ],
});
