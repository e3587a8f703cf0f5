// Where uploaded files (job photos, signatures) live: a storage interface, so a deployment can
// put them in object storage; local disk under the data folder by default. Keys are ours
// (`{account}/{object id}`), never a client's file name, so a key cannot climb out of the root.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, opendir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FileStorage {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The file, or null if there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Stores what `source` yields as it comes (a generated report), never holding it whole; answers its size. */
  putStream(key: string, source: AsyncIterable<Uint8Array> | Readable): Promise<number>;
  /** The file as a stream, or null if there is none. */
  getStream(key: string): Promise<Readable | null>;
  /** Removes the file; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** The keys of the files in a folder (`acc_1/`) and its subfolders, as found (an account's export and deletion). */
  list(prefix: string): AsyncIterable<string>;
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export function localDiskStorage(root: string): FileStorage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe storage key: ${key}`);
    const path = resolve(base, key);
    if (!path.startsWith(base + sep)) throw new Error(`storage key outside the root: ${key}`);
    return path;
  };
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written aside, then renamed: a reader never sees half a file.
      const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
    },
    async putStream(key, source) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
      try {
        await pipeline(source, createWriteStream(partial));
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      await rename(partial, path);
      return (await stat(path)).size;
    },
    async getStream(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      return createReadStream(path);
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    list(prefix) {
      if (!prefix.endsWith('/')) throw new Error(`a folder ends with '/': ${prefix}`);
      return walk(pathOf(prefix.slice(0, -1)), prefix);
    },
  };
}

/** The files under `folder` as keys, a directory entry at a time; files being written (`.partial`) are skipped. */
async function* walk(folder: string, prefix: string): AsyncGenerator<string> {
  let dir;
  try {
    dir = await opendir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return;
    throw error;
  }
  for await (const entry of dir) {
    if (entry.isDirectory()) yield* walk(join(folder, entry.name), `${prefix}${entry.name}/`);
    else if (entry.isFile() && SAFE_KEY.test(`${prefix}${entry.name}`)) yield `${prefix}${entry.name}`;
  }
}

export const filesFolder = (dataDir: string) => join(dataDir, 'files');
