// The server's VAPID identity (RFC 8292): the key pair push services know our pushes by. Given
// by the environment, or made once on first use and kept in `push_vapid_keys` with the private
// key sealed; every node sharing the secret key reads the same row (the first insert wins a
// race), so browsers' subscriptions, made with the public key, stay valid across restarts and
// nodes. The row is named by a digest of the secret key: a server with another key (a new
// FIELDLINE_SECRET_KEY) cannot open the old pair and makes its own; browsers then subscribe again.
import { lazyRequire } from '../../platform/lazy-require.ts';
import type { Database } from '../../db/database.ts';
import { systemQuery } from '../../db/system-query.ts';
import type { SecretBox } from '../../platform/secret-box.ts';

/** web-push, loaded when a push is first sent or VAPID keys first made. */
export const webPush = lazyRequire<typeof import('web-push')>('web-push');

export interface VapidSettings {
  /** Both or neither: the pair made with `npx web-push generate-vapid-keys`. */
  publicKey?: string;
  privateKey?: string;
  /** Who push services may contact about our pushes: an `https:` or `mailto:` URL. */
  subject: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export class VapidKeyStore {
  #keys: Promise<VapidKeys> | undefined;

  constructor(
    private readonly db: Database,
    private readonly secrets: SecretBox,
    private readonly settings: VapidSettings,
  ) {}

  /** The key pair, read (or made) once per process. */
  keys(): Promise<VapidKeys> {
    this.#keys ??= this.#load().catch((error) => {
      this.#keys = undefined; // a database hiccup is not remembered
      throw error;
    });
    return this.#keys;
  }

  async #load(): Promise<VapidKeys> {
    const { publicKey, privateKey, subject } = this.settings;
    if (publicKey && privateKey) return { publicKey, privateKey, subject };
    const sealedWith = this.secrets.derive('push_vapid_keys').slice(0, 22);
    const select = {
      sql: 'SELECT public_key, private_key FROM push_vapid_keys WHERE sealed_with = $1',
      parameters: [sealedWith],
    };
    let [row] = await systemQuery<{ public_key: string; private_key: string }>(this.db, select);
    if (!row) {
      const made = webPush().generateVAPIDKeys();
      await systemQuery(this.db, {
        sql: `INSERT INTO push_vapid_keys (sealed_with, public_key, private_key, created_at)
              VALUES ($1, $2, $3, now()) ON CONFLICT (sealed_with) DO NOTHING`,
        parameters: [sealedWith, made.publicKey, this.secrets.encrypt(made.privateKey)],
      });
      [row] = await systemQuery<{ public_key: string; private_key: string }>(this.db, select);
    }
    return { publicKey: row.public_key, privateKey: this.secrets.decrypt(row.private_key), subject };
  }
}
