// Google Calendar: each member connects their own Google calendar (the `primary` one), with the
// one Google OAuth client every Google connector shares and calendar scopes only. Its `calendar`
// sync (the shared calendar sync, src/integrations/calendar/member-calendar-sync.ts) keeps their
// booked jobs as events there and their busy times as their schedule blocks; it runs on the sync
// runner, every few minutes and when one of their jobs is booked or moved.
import { defineConnector } from '../connector.ts';
import { memberCalendarSync } from '../calendar/member-calendar-sync.ts';
import { calendarBase, googleCalendar, GoogleCalendarEntry } from './google-calendar-api.ts';
import { googleOAuth, revokeGoogleToken } from './google-oauth.ts';

export const GOOGLE_CALENDAR_PROVIDER = 'google-calendar';

/** Events of their calendars written (ours) and read (busy times); the primary calendar's address read. */
export const GOOGLE_CALENDAR_SCOPES = [
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.readonly',
  'openid',
  'email',
] as const;

export const googleCalendarConnector = defineConnector({
  provider: GOOGLE_CALENDAR_PROVIDER,
  title: 'Google Calendar',
  description:
    "A member's own Google calendar: their booked jobs as events (moved with the job, removed when it is no " +
    'longer theirs), their busy times as their schedule blocks.',
  perMember: true,
  oauth: googleOAuth(GOOGLE_CALENDAR_SCOPES),
  async identity(api, settings) {
    // The primary calendar's id is the Google account's address.
    const primary = await api.json(`${calendarBase(settings)}/calendars/primary`, GoogleCalendarEntry);
    return { identity: primary.id };
  },
  revoke: (token, client) => revokeGoogleToken(token, client),
  syncs: {
    calendar: memberCalendarSync({
      provider: GOOGLE_CALENDAR_PROVIDER,
      description: "The member's booked jobs as Google Calendar events, and their busy times as schedule blocks.",
      calendar: (args) => googleCalendar(args.api, args.settings),
    }),
  },
});
