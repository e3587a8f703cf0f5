// Money in minor units and times in the business's time zone, as a customer reads them.
export const money = (minor: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);

export const when = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));

const clock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone }).format(new Date(iso));

export const window = (start: string, end: string, timeZone: string) =>
  `${when(start, timeZone)} – ${clock(end, timeZone)}`;

export const label = (status: string) => status.replace(/_/g, ' ');
