// Ordering a day's stops so the technician drives less. A day of up to EXACT_UP_TO stops is
// solved exactly (Held-Karp dynamic programming, at most 10 x 10 x 1024 steps); a longer one
// starts from nearest neighbour and improves with 2-opt (reverse a stretch) and Or-opt (move
// one to three consecutive stops elsewhere) until neither shortens it. Distances are
// great-circle (haversine). Every step scans in a fixed order, so the same stops always give
// the same plan.

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface RoutePlan {
  /** Indexes into the stops, in visiting order. */
  order: number[];
  /** Kilometres of each leg: from the start (or nothing) to the first stop, then stop to stop. */
  legsKm: number[];
  totalKm: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = radians(b.latitude - a.latitude);
  const dLon = radians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Kilometres of driving `order`, from `start` when there is one. */
export function routeLengthKm(stops: readonly GeoPoint[], order: readonly number[], start?: GeoPoint): number {
  return legsOf(stops, order, start).reduce((sum, leg) => sum + leg, 0);
}

function legsOf(stops: readonly GeoPoint[], order: readonly number[], start?: GeoPoint): number[] {
  return order.map((stop, i) => {
    const from = i === 0 ? start : stops[order[i - 1]];
    return from ? haversineKm(from, stops[stop]) : 0;
  });
}

function nearestNeighbour(stops: readonly GeoPoint[], first: GeoPoint | number): number[] {
  const left = new Set(stops.map((_, i) => i));
  const order: number[] = [];
  let here = typeof first === 'number' ? stops[first] : first;
  if (typeof first === 'number') {
    order.push(first);
    left.delete(first);
  }
  while (left.size) {
    let best = -1;
    let bestKm = Infinity;
    for (const i of left) {
      const km = haversineKm(here, stops[i]);
      if (km < bestKm) {
        best = i;
        bestKm = km;
      }
    }
    order.push(best);
    left.delete(best);
    here = stops[best];
  }
  return order;
}

/** Exactly EXACT_UP_TO stops or fewer are solved exactly. */
export const EXACT_UP_TO = 10;

/** The shortest open route over every stop (from `start` when given): Held-Karp. */
function exactRoute(stops: readonly GeoPoint[], start?: GeoPoint): number[] {
  const n = stops.length;
  const full = (1 << n) - 1;
  const best = Array.from({ length: 1 << n }, () => new Float64Array(n).fill(Infinity));
  const previous = Array.from({ length: 1 << n }, () => new Int8Array(n).fill(-1));
  for (let i = 0; i < n; i++) best[1 << i][i] = start ? haversineKm(start, stops[i]) : 0;
  for (let visited = 1; visited <= full; visited++) {
    for (let last = 0; last < n; last++) {
      const km = best[visited][last];
      if (!(visited & (1 << last)) || km === Infinity) continue;
      for (let next = 0; next < n; next++) {
        if (visited & (1 << next)) continue;
        const extended = visited | (1 << next);
        const total = km + haversineKm(stops[last], stops[next]);
        if (total < best[extended][next] - 1e-9) {
          best[extended][next] = total;
          previous[extended][next] = last;
        }
      }
    }
  }
  let last = 0;
  for (let i = 1; i < n; i++) if (best[full][i] < best[full][last] - 1e-9) last = i;
  const order: number[] = [];
  for (let visited = full; last !== -1;) {
    order.push(last);
    const before = previous[visited][last];
    visited &= ~(1 << last);
    last = before;
  }
  return order.reverse();
}

/** Improves an open route with 2-opt and Or-opt moves until none shortens it; the start stays put. */
function improveRoute(stops: readonly GeoPoint[], order: number[], start?: GeoPoint): number[] {
  let route = [...order];
  let length = routeLengthKm(stops, route, start);
  const tryRoute = (candidate: number[]) => {
    const km = routeLengthKm(stops, candidate, start);
    if (km >= length - 1e-9) return false;
    route = candidate;
    length = km;
    return true;
  };
  for (let improved = true; improved;) {
    improved = false;
    for (let i = 0; i < route.length - 1; i++) {
      for (let j = i + 1; j < route.length; j++) {
        if (tryRoute([...route.slice(0, i), ...route.slice(i, j + 1).reverse(), ...route.slice(j + 1)]))
          improved = true;
      }
    }
    for (let size = 1; size <= 3; size++) {
      for (let i = 0; i + size <= route.length; i++) {
        const segment = route.slice(i, i + size);
        const rest = [...route.slice(0, i), ...route.slice(i + size)];
        for (let at = 0; at <= rest.length; at++) {
          if (at === i) continue;
          if (tryRoute([...rest.slice(0, at), ...segment, ...rest.slice(at)])) {
            improved = true;
            break;
          }
        }
      }
    }
  }
  return route;
}

/** The order to visit `stops` in, from `start` if given (otherwise from whichever stop is best). */
export function planRoute(stops: readonly GeoPoint[], start?: GeoPoint): RoutePlan {
  let order: number[] = [];
  if (stops.length <= EXACT_UP_TO) order = stops.length ? exactRoute(stops, start) : [];
  else if (start) order = nearestNeighbour(stops, start);
  else {
    let bestKm = Infinity;
    for (let first = 0; first < stops.length; first++) {
      const candidate = nearestNeighbour(stops, first);
      const km = routeLengthKm(stops, candidate);
      if (km < bestKm - 1e-9) {
        order = candidate;
        bestKm = km;
      }
    }
  }
  if (stops.length > EXACT_UP_TO) order = improveRoute(stops, order, start);
  const legsKm = legsOf(stops, order, start);
  return { order, legsKm, totalKm: legsKm.reduce((sum, leg) => sum + leg, 0) };
}
