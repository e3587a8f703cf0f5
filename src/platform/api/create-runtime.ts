// The API's runtime on a database. Every module's services are made once, each after the
// services it uses (a provider that asks for another service gets it made first), then started
// in the order they were made and stopped in reverse: a worker stops before what it writes
// through (webhook delivery before the delivery quota's last flush).
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry as MetricsRegistry } from 'prom-client';
import { gaugeFrom } from '../gauge-from.ts';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../secret-box.ts';
import type { Api } from './build-api.ts';
import type { Lifecycle, Provider } from './module.ts';
import type { Runtime, RuntimeOptions } from '../contract.ts';
import type { ServiceKey } from './service-key.ts';

export interface RunningRuntime extends Runtime {
  /** Starts the background work of every service (workers, flushes, listeners). */
  start(): Promise<void>;
  /** Ends long-lived responses, so the HTTP server can close. */
  endStreams(): Promise<void>;
  /** Stops every service in reverse module order; call before closing the database. */
  stop(): Promise<void>;
}

export interface RuntimeParts {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  options: RuntimeOptions;
}

/** One registry per runtime, so tests and several runtimes in a process never share counters. */
function processMetrics(db: Database): MetricsRegistry {
  const metrics = new MetricsRegistry();
  collectDefaultMetrics({ register: metrics, prefix: 'fieldline_process_' });
  gaugeFrom(metrics, 'fieldline_db_connections_in_use', 'Database connections checked out.', () => {
    const stats = db.poolStats();
    return stats.total - stats.idle;
  });
  gaugeFrom(
    metrics,
    'fieldline_db_connections_waiting',
    'Requests waiting for a database connection.',
    () => db.poolStats().waiting,
  );
  return metrics;
}

export function createRuntime(api: Api, { db, secrets, logger, options }: RuntimeParts): RunningRuntime {
  const providers = new Map<ServiceKey<unknown>, Provider>();
  for (const module of api.modules) {
    for (const provider of module.provides ?? []) {
      if (providers.has(provider.key))
        throw new Error(`${provider.key.name} is provided twice (module '${module.name}')`);
      providers.set(provider.key, provider);
    }
  }
  const services = new Map<ServiceKey<unknown>, unknown>();
  const making = new Set<ServiceKey<unknown>>();
  const lifecycles: Lifecycle[] = [];
  const find = <T>(key: ServiceKey<T>): T | undefined => {
    if (services.has(key)) return services.get(key) as T;
    const provider = providers.get(key);
    if (!provider) return undefined;
    if (making.has(key)) throw new Error(`${key.name} needs itself to be made (a circle of services)`);
    making.add(key);
    const service = provider.create(runtime);
    making.delete(key);
    services.set(key, service);
    lifecycles.push(provider.lifecycle ? provider.lifecycle(service) : (service as Lifecycle));
    return service as T;
  };
  const metrics = processMetrics(db);
  const runtime: RunningRuntime = {
    db,
    registry: api.registry,
    secrets,
    logger,
    metrics,
    options,
    find,
    use<T>(key: ServiceKey<T>): T {
      const service = find(key);
      if (service === undefined) throw new Error(`no module of this composition provides ${key.name}`);
      return service;
    },
    async start() {
      for (const lifecycle of lifecycles) await lifecycle.start?.();
    },
    async endStreams() {
      for (const lifecycle of lifecycles) await lifecycle.endStreams?.();
    },
    async stop() {
      for (const lifecycle of [...lifecycles].reverse()) await lifecycle.stop?.();
    },
  };
  for (const key of providers.keys()) find(key);
  return runtime;
}
