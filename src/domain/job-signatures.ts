// Signatures: the customer signs off the job on the technician's device.
import { z } from 'zod';
import { field } from '../platform/resource/fields.ts';
import { defineJobImages } from './job-images.ts';

export const jobSignatures = defineJobImages({
  name: 'job_signature',
  collection: 'job-signatures',
  idPrefix: 'sig',
  description: "A signature captured on a job, with the signer's name.",
  segment: 'signatures',
  operationId: 'uploadJobSignature',
  maxBytes: 1024 * 1024,
  fields: {
    signer_name: field.text({ min: 1, max: 200 }).required().createOnly().searchable().example('Ada Lovelace'),
  },
  form: z.strictObject({ signer_name: z.string().trim().min(1).max(200) }),
});
