// GET /v1/calendar/{token}.ics: the feed itself, for calendar apps, which send no credential but
// the URL. An unknown, rotated-out or revoked token is the same 404 (feed-tokens.ts). The answer
// carries a strong ETag: apps that poll with If-None-Match get a bodiless 304 while nothing
// changed, and that answer skips rendering (most of a poll's cost). Like inbound sources' URLs,
// the token is checked as a credential: refusals are counted per IP address (past the limit, 429),
// while valid feeds are not limited per address, since calendar services fetch everyone's feeds
// from a few shared addresses.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { feedOfToken } from './feed-tokens.ts';
import { loadFeedEntries } from './feed-entries.ts';
import { feedWindow, FEED_WINDOW_DAYS } from './feed-window.ts';
import { renderIcs } from './render-ics.ts';

const REFRESH_MINUTES = 15;
const CALENDAR_TYPE = 'text/calendar; charset=utf-8';

/**
 * Rendering is a pure function of the rows read and the heading, so their hash identifies the bytes
 * without rendering them. Raise RENDERING when render-ics.ts changes what it writes for the same rows.
 */
const RENDERING = 'ics-1';
const etagOf = (...parts: unknown[]) =>
  `"${createHash('sha256')
    .update(JSON.stringify([RENDERING, ...parts]))
    .digest('base64url')
    .slice(0, 32)}"`;

/** If-None-Match names this entity (`*`, or the tag, weak or strong: RFC 9110 13.1.2 compares weakly). */
function unchanged(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

export const calendarFeedRoute = defineOperation({
  method: 'get',
  path: '/v1/calendar/{token}',
  operationId: 'downloadCalendarFeed',
  tag: 'CalendarFeed',
  scope: null,
  authentication: 'signature',
  bucket: 'read',
  params: { token: { pattern: '^flcal_[0-9A-Za-z]{44}\\.ics$' } },
  summary: 'Read a calendar feed (iCalendar)',
  description:
    'The URL a calendar feed revealed when it was created or rotated (`/v1/calendar/flcal_....ics`), for calendar ' +
    'apps that subscribe by URL (Google Calendar "From URL", Apple Calendar, Outlook). The token in the path is ' +
    'the only credential. Scheduled jobs are events whose UID is the job id, in UTC; a moved job keeps its UID and ' +
    `its SEQUENCE grows; a cancelled job is STATUS:CANCELLED; schedule blocks are busy time. Window: ` +
    `${FEED_WINDOW_DAYS.back} days back to ${FEED_WINDOW_DAYS.ahead} days ahead. Send If-None-Match with the ` +
    'ETag to get 304 Not Modified while nothing changed. An unknown, rotated-out or revoked token is a 404.',
  response: z.string().describe('An iCalendar document (RFC 5545).'),
  responseMediaType: 'text/calendar',
  sdk: { excluded: 'a calendar file for calendar apps, which fetch its URL themselves' },
  async handle({ runtime, params, headers, refuseCredential, attribute }) {
    const token = params.token.endsWith('.ics') ? params.token.slice(0, -4) : params.token;
    const feed = await feedOfToken(runtime.db, token);
    if (!feed) {
      await refuseCredential();
      throw new ApiError('not_found', 'No such calendar feed (the URL may have been rotated or revoked)');
    }
    attribute(accountPrincipal(feed.accountId)); // the account's request log shows its feeds' polls
    const entries = await loadFeedEntries(runtime, feed.accountId, feed.technicianId, feedWindow(Date.now()));
    const heading = { name: feed.name, publicUrl: runtime.options.publicUrl, refreshMinutes: REFRESH_MINUTES };
    const etag = etagOf(entries, heading);
    const common = {
      ETag: etag,
      // Revalidated on every poll (cheap with the ETag); never kept by shared caches: the URL is a secret.
      'Cache-Control': 'private, no-cache',
      'Referrer-Policy': 'no-referrer',
    };
    if (unchanged(headers.get('if-none-match'), etag))
      return { response: new Response(null, { status: 304, headers: common }) };
    return {
      response: new Response(renderIcs(entries, heading), {
        status: 200,
        headers: { ...common, 'Content-Type': CALENDAR_TYPE, 'Content-Disposition': 'inline; filename="calendar.ics"' },
      }),
    };
  },
});
