// Embedded PGlite must be opened by one process at a time: a second opener would corrupt it.
// A lock file names the holder so the second process can say who has the folder.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class DataDirBusyError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder for this process; returns the release function. */
export function acquireDataDirLock(dataDir: string, holder: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'fieldline.lock');
  const mine = JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' });
      const release = () => {
        process.off('exit', release);
        try {
          if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let other: { pid?: number; holder?: string } = {};
      try {
        other = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        /* unreadable: treat as stale */
      }
      if (other.pid && other.pid !== process.pid && isAlive(other.pid)) {
        throw new DataDirBusyError(
          `The data folder ${resolve(dataDir)} is in use by the Fieldline ${other.holder ?? 'process'} ` +
            `(pid ${other.pid}). ` +
            'Embedded PGlite allows one process at a time: stop that process first, ' +
            'or set DATABASE_URL to use a PostgreSQL server.',
        );
      }
      unlinkSync(path); // stale lock from a process that is gone
    }
  }
  throw new DataDirBusyError(`Could not take the lock on ${resolve(dataDir)}`);
}
