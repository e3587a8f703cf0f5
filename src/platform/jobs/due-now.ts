// When a row queued by SQL (an INSERT, a trigger) is due "now", for workers that claim what is due
// at a JavaScript time.

/**
 * now() to the millisecond. PostgreSQL's now() has microseconds, and a worker asks for what is due
 * at Date.now(), which has whole milliseconds: a row queued at 12:00:00.123789 is not due at
 * 12:00:00.123, so a claim made within the commit's millisecond (the nudge or NOTIFY right after
 * it) skipped the row until the next round. A row queued with a JavaScript time needs nothing.
 */
export const DUE_NOW_SQL = `date_trunc('milliseconds', now())`;
