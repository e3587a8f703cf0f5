// What operations and services run with, passed explicitly: the database, the registry, the
// secret box, the process's options and the services modules provide. A service is reached by
// a typed key its module exports (`runtime.use(webhookDelivery)`), never by a string.
import type { Logger } from 'pino';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Database } from '../../db/database.ts';
import type { Registry } from '../registry.ts';
import type { SecretBox } from '../secret-box.ts';

/** Names a service and its type. Modules export their keys; `provide` in a module makes one. */
export interface ServiceKey<T> {
  readonly name: string;
  /** Never set: carries the service's type. */
  readonly type?: T;
}

export const serviceKey = <T>(name: string): ServiceKey<T> => ({ name });

/**
 * How this process runs. Modules add their own options to this interface (module
 * augmentation), as Better Auth plugins add theirs: `declare module ... { interface RuntimeOptions { ... } }`.
 */
export interface RuntimeOptions {
  /** Where clients reach this server (FIELDLINE_PUBLIC_URL): links in mails, the OAuth issuer, Secure cookies when https. */
  publicUrl: string;
  /** Request bodies larger than this are refused (413). */
  maxBodyBytes: number;
  /** Believe X-Forwarded-For / X-Forwarded-Proto (only behind a proxy that sets them). */
  trustProxy: boolean;
  /**
   * false: no rate limits, quotas, request logs or request metrics. Only the benchmark sets it,
   * to measure in one run what traffic control costs; a server always has it on.
   */
  trafficControl: boolean;
}

export interface Runtime {
  readonly db: Database;
  readonly registry: Registry;
  /** Seals write-only fields (`field.secret()`) and other secrets we must read back. */
  readonly secrets: SecretBox;
  readonly logger: Logger;
  /** The Prometheus registry modules add their metrics to (one per runtime: tests never share counters). */
  readonly metrics: MetricsRegistry;
  readonly options: RuntimeOptions;
  /** A service some module provides; throws when none does (a module missing from the composition). */
  use<T>(key: ServiceKey<T>): T;
  /** The same, or undefined when no module provides it (a capability this composition lacks). */
  find<T>(key: ServiceKey<T>): T | undefined;
}
