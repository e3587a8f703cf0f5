// The span of time a calendar feed covers around now: enough history for "when was I there",
// half a year of what is booked ahead, and a bounded feed for apps that poll it every few minutes.
export const FEED_WINDOW_DAYS = { back: 30, ahead: 180 } as const;

const DAY_MS = 86_400_000;

export function feedWindow(now: number): { starts_at: string; ends_at: string } {
  return {
    starts_at: new Date(now - FEED_WINDOW_DAYS.back * DAY_MS).toISOString(),
    ends_at: new Date(now + FEED_WINDOW_DAYS.ahead * DAY_MS).toISOString(),
  };
}
