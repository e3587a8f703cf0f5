// Calendar feeds: each technician's jobs (or the account's) as an iCalendar subscription any
// calendar app reads by URL, with a secret token that can be rotated or revoked.
import { defineModule } from '../platform/api/module.ts';
import { calendarFeeds } from './calendar-feeds-resource.ts';
import { calendarFeedRoute } from './calendar-feed-route.ts';
import { CALENDAR_FEED_MIGRATIONS, countCalendarChanges } from './event-sequences.ts';

export const calendarFeedsModule = defineModule({
  name: 'calendar-feeds',
  resources: [calendarFeeds],
  operations: () => [calendarFeedRoute],
  reactions: [countCalendarChanges],
  migrations: CALENDAR_FEED_MIGRATIONS,
});
