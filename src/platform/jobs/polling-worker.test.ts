import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { PollingWorker } from './polling-worker.ts';

const silent = pino({ level: 'silent' });

/** A drain that waits to be let go, counting its runs. */
function gatedDrain() {
  let runs = 0;
  let release!: () => void;
  const drain = () => {
    runs++;
    return new Promise<number>((resolve) => {
      release = () => resolve(runs);
    });
  };
  return { drain, runs: () => runs, release: () => release() };
}

test('a second request while a drain runs joins it: one drain at a time', async () => {
  const gate = gatedDrain();
  const worker = new PollingWorker('test', silent, 60_000, gate.drain);
  const [first, second] = [worker.run(), worker.run()];
  assert.equal(gate.runs(), 1);
  gate.release();
  assert.deepEqual(await Promise.all([first, second]), [1, 1]);
  const third = worker.run();
  assert.equal(gate.runs(), 2, 'a request after it finished drains again');
  gate.release();
  await third;
});

test('a nudge drains only a started worker; stop waits for the drain it runs', async () => {
  const gate = gatedDrain();
  const worker = new PollingWorker('test', silent, 60_000, gate.drain);
  worker.nudge();
  assert.equal(gate.runs(), 0, 'not started: waits to be asked');
  worker.start();
  assert.equal(worker.started, true);
  worker.nudge();
  assert.equal(gate.runs(), 1);
  let stopped = false;
  assert.equal(worker.stopping, false);
  const stopping = worker.stop().then(() => (stopped = true));
  assert.equal(worker.stopping, true, 'the running drain is told to claim no further batch');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, 'the running drain finishes first');
  gate.release();
  await stopping;
  assert.equal(worker.started, false);
  worker.start();
  assert.equal(worker.stopping, false, 'started again, it drains on');
  await worker.stop();
});

test('a failed drain is logged, not thrown, by a nudge; the next request drains again', async () => {
  let runs = 0;
  const worker = new PollingWorker('test', silent, 60_000, async () => {
    runs++;
    if (runs === 1) throw new Error('database away');
    return 0;
  });
  worker.start();
  worker.nudge();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await worker.run(), 0);
  assert.equal(runs, 2);
  await worker.stop();
});
