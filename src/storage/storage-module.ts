// Uploaded files (job photos, signatures): the storage the runtime's options name, or a
// temporary folder that lives as long as the machine's tmp (tests).
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineModule, provide } from '../platform/api/module.ts';
import { localDiskStorage, type FileStorage } from './file-storage.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Where uploaded files go; absent: a temporary folder. */
    files?: FileStorage;
  }
}

export const fileStorage = serviceKey<FileStorage>('file storage');

export const storageModule = defineModule({
  name: 'storage',
  provides: [
    provide(
      fileStorage,
      ({ options }) =>
        options.files ?? localDiskStorage(join(tmpdir(), `fieldline-files-${randomBytes(6).toString('hex')}`)),
      () => ({}),
    ),
  ],
});
