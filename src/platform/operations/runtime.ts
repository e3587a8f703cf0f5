// What generic operations need from the outside world, passed explicitly.
import type { Database } from '../../db/database.ts';
import type { Registry } from '../registry.ts';
import type { SecretBox } from '../secret-box.ts';

export interface Runtime {
  db: Database;
  registry: Registry;
  /** Seals write-only fields (`field.secret()`) and other secrets we must read back. */
  secrets: SecretBox;
  /** Where this server is reached from outside (FIELDLINE_PUBLIC_URL): links in mails. */
  publicUrl: string;
  /**
   * Services a resource's hooks and actions reach through `ctx.runtime`, by name (webhook
   * delivery, for one). Declared by the module that provides them, with interface merging.
   */
  services: RuntimeServices;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RuntimeServices {}
