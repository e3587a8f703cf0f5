// CPU spent per request during a run, which is far steadier on a shared machine than req/s:
// - server: the main thread's CPU time (both servers run there; the load generator has its own
//   thread), from /proc so time spent waiting for a core is not counted;
// - machine: every core's non-idle time from /proc/stat (servers, PostgreSQL, load generator),
//   so work moved off the event loop into the database still shows up;
// - database: every PostgreSQL process's CPU time (backends, WAL writer, checkpointer), the
//   part of machine that work moved into the database costs.
import { readdirSync, readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Linux reports /proc/stat in clock ticks of 1/100 s (USER_HZ). */
const TICK_US = 10_000;

function machineBusyTicks(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return user + nice + system + irq + softirq + (steal ?? 0);
  } catch {
    return null;
  }
}

/** utime + stime of the main thread, in ticks. */
function serverThreadTicks(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * utime + stime of every process named `postgres`, plus cutime + cstime: the postmaster reaps
 * its backends, so a connection closed mid-run still counts there.
 */
function databaseTicks(): number | null {
  try {
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } catch {
        // The process ended between listing and reading.
      }
    }
    return total;
  } catch {
    return null;
  }
}

export interface CpuCost {
  /** Main-thread CPU µs per request (event-loop busy time where /proc is unavailable). */
  serverUsPerRequest: number;
  /** Whole-machine busy µs per request (NaN where /proc/stat is unavailable). */
  machineUsPerRequest: number;
  /** PostgreSQL processes' CPU µs per request (NaN where /proc is unavailable). */
  databaseUsPerRequest: number;
}

/** Starts measuring; call the result with the number of requests served to get the cost. */
export function measureCpu(): (requests: number) => CpuCost {
  const elu: EventLoopUtilization = performance.eventLoopUtilization();
  const ticks = machineBusyTicks();
  const serverTicks = serverThreadTicks();
  const dbTicks = databaseTicks();
  return (requests) => {
    const used = performance.eventLoopUtilization(elu);
    const ticksAfter = machineBusyTicks();
    const serverTicksAfter = serverThreadTicks();
    const dbTicksAfter = databaseTicks();
    const per = (us: number) => (requests > 0 ? us / requests : NaN);
    return {
      serverUsPerRequest: per(
        serverTicks === null || serverTicksAfter === null
          ? used.active * 1000
          : (serverTicksAfter - serverTicks) * TICK_US,
      ),
      machineUsPerRequest: ticks === null || ticksAfter === null ? NaN : per((ticksAfter - ticks) * TICK_US),
      databaseUsPerRequest: dbTicks === null || dbTicksAfter === null ? NaN : per((dbTicksAfter - dbTicks) * TICK_US),
    };
  };
}
