// What generic operations need from the outside world, passed explicitly.
import type { Database } from '../../db/database.ts';
import type { Registry } from '../registry.ts';

export interface Runtime {
  db: Database;
  registry: Registry;
}
