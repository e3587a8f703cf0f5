// Photos of a job: before and after, the part that failed.
import { z } from 'zod';
import { field } from '../platform/resource/fields.ts';
import { defineJobImages } from './job-images.ts';

export const jobPhotos = defineJobImages({
  name: 'job_photo',
  collection: 'job-photos',
  idPrefix: 'pho',
  description: 'A photo taken on a job.',
  segment: 'photos',
  operationId: 'uploadJobPhoto',
  maxBytes: 10 * 1024 * 1024,
  fields: {
    caption: field.text({ max: 500 }).searchable().example('Corroded valve before replacement'),
  },
  form: z.strictObject({ caption: z.string().trim().max(500).optional() }),
});
