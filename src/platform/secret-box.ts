// Secrets we must read back (webhook signing secrets, inbound
// verification secrets) are stored encrypted: AES-256-GCM with
// the server's key. The key comes from FIELDLINE_SECRET_KEY (32 bytes, base64 or hex); without
// it, one is generated once and kept in the data folder (mode 0600), which suits one machine.
// Several nodes must share FIELDLINE_SECRET_KEY.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
    this.#key = key;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(sealed: string): string {
    const [version, payload] = sealed.split(':');
    if (version !== VERSION || !payload) throw new Error('Unknown secret format');
    const bytes = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** A key of its own for one purpose (signing session cookies), derived from this one: HMAC-SHA256, base64. */
  derive(purpose: string): string {
    return createHmac('sha256', this.#key).update(purpose).digest('base64');
  }
}

/** Parses FIELDLINE_SECRET_KEY: 32 bytes as base64 (44 characters) or hex (64). */
export function parseSecretKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('FIELDLINE_SECRET_KEY must be 32 bytes, base64 or hex encoded');
  return key;
}

/** The key in `dataDir/secret.key`, created on first use. */
export function dataDirSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return parseSecretKey(readFileSync(file, 'utf8').trim());
}
