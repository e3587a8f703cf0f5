// A Prometheus gauge read at scrape time, for values owned elsewhere (pool sizes, queue depths).
import { Gauge, type Registry } from 'prom-client';

export function gaugeFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
