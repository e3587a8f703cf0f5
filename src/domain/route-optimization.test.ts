import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXACT_UP_TO, haversineKm, planRoute, routeLengthKm, type GeoPoint } from './route-optimization.ts';

const KM_PER_DEGREE = 111.195; // of a meridian, with the mean Earth radius

/** Every order of `n` stops: the true optimum a small instance can be checked against. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

test('haversine: one degree of latitude is about 111.2 km; London to Paris is about 344 km', () => {
  assert.ok(Math.abs(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 }) - KM_PER_DEGREE) < 0.01);
  const km = haversineKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 });
  assert.ok(Math.abs(km - 343.6) < 1, `${km}`);
});

test('stops along a road are visited in road order from the start, whatever order they came in', () => {
  const stops = [3, 1, 4, 2].map((latitude) => ({ latitude, longitude: 0 }));
  const plan = planRoute(stops, { latitude: 0, longitude: 0 });
  assert.deepEqual(plan.order, [1, 3, 0, 2]);
  assert.ok(Math.abs(plan.totalKm - 4 * KM_PER_DEGREE) < 0.05);
  assert.equal(plan.legsKm.length, 4);
});

test('a small day is planned optimally: a known instance where nearest neighbour alone is 10 % longer', () => {
  // Two rows of stops east of the depot and one to the south: greedy walks the north row, then
  // must come back for the rest; the optimum is found by checking all 720 orders.
  const start = { latitude: 0, longitude: 0 };
  const stops: GeoPoint[] = [
    { latitude: 0.1, longitude: 1 },
    { latitude: 0.1, longitude: 2 },
    { latitude: -0.1, longitude: 2.1 },
    { latitude: -0.1, longitude: 0.9 },
    { latitude: 0.05, longitude: 3 },
    { latitude: -1, longitude: 1.5 },
  ];
  const plan = planRoute(stops, start);
  const optimum = Math.min(...permutations(stops.length).map((order) => routeLengthKm(stops, order, start)));
  assert.ok(Math.abs(plan.totalKm - optimum) < 1e-6, `planned ${plan.totalKm} km, optimum ${optimum} km`);
  assert.deepEqual(plan.order, [0, 3, 5, 2, 1, 4]);
});

test('without a start, the route begins at whichever stop makes it shortest', () => {
  const stops = [2, 0, 3, 1].map((longitude) => ({ latitude: 10, longitude }));
  const plan = planRoute(stops);
  assert.equal(plan.legsKm[0], 0);
  assert.ok(plan.order.join() === '1,3,0,2' || plan.order.join() === '2,0,3,1', plan.order.join());
  assert.ok(Math.abs(plan.totalKm - routeLengthKm(stops, [1, 3, 0, 2])) < 1e-9);
});

test('the same stops always give the same plan; nothing and one stop are plans too', () => {
  const stops = Array.from({ length: 12 }, (_, i) => ({
    latitude: Math.sin(i * 7) * 0.5,
    longitude: Math.cos(i * 3) * 0.5,
  }));
  assert.deepEqual(planRoute(stops, { latitude: 0, longitude: 0 }), planRoute(stops, { latitude: 0, longitude: 0 }));
  assert.deepEqual(planRoute([]), { order: [], legsKm: [], totalKm: 0 });
  assert.deepEqual(planRoute([{ latitude: 1, longitude: 1 }]).order, [0]);
});

test(
  'a long day (beyond the exact size) is improved past nearest neighbour: ' +
    'scattered stops along a road come out in road order',
  () => {
    const latitudes = [7, 2, 13, 5, 0.5, 11, 3, 9, 1, 14, 6, 12, 4, 8, 10, 15];
    assert.ok(latitudes.length > EXACT_UP_TO);
    const stops = latitudes.map((latitude, i) => ({ latitude, longitude: i % 2 ? 0.3 : 0 }));
    const plan = planRoute(stops, { latitude: 0, longitude: 0 });
    assert.deepEqual(
      plan.order.map((i) => latitudes[i]),
      [...latitudes].sort((a, b) => a - b),
    );
  },
);

test('a long day around a ring is driven around the ring, not across it', () => {
  const ring = Array.from({ length: 14 }, (_, i) => ({
    latitude: Math.sin((i * 2 * Math.PI) / 14),
    longitude: Math.cos((i * 2 * Math.PI) / 14),
  }));
  const shuffled = [5, 12, 0, 9, 3, 7, 13, 1, 10, 6, 2, 11, 4, 8].map((i) => ring[i]);
  const plan = planRoute(shuffled, ring[0]);
  const aroundTheRing = routeLengthKm(
    ring,
    ring.map((_, i) => i),
    ring[0],
  );
  assert.ok(
    Math.abs(plan.totalKm - aroundTheRing) < 1e-6,
    `planned ${plan.totalKm} km, around the ring ${aroundTheRing} km`,
  );
});
