// Money and dates as a document prints them: integer minor units shown in the currency's own
// number of decimals (JPY 0, USD 2, KWD 3, as ICU knows them), dates in the account's time zone.

const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code' });
    formats.set(currency, format);
  }
  return format;
}

/** How many decimals the currency's minor unit has. */
export const minorUnitDigits = (currency: string): number =>
  currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;

/** `123456` USD -> `USD 1,234.56`; exact for any integer amount (no float arithmetic on the minor units). */
export function formatMoney(minorUnits: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const negative = minorUnits < 0;
  const text = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = digits ? `.${text.slice(text.length - digits)}` : '';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${currency}\u00a0${grouped}${fraction}`;
}

/** A basis-point rate as a percentage: 825 -> `8.25 %`. */
export const formatRate = (bps: number): string => `${(bps / 100).toFixed(2).replace(/\.?0+$/, '')} %`;

/** A timestamp as the day it was in `timeZone`: `4 Dec 2026`. */
export const formatDay = (timestamp: string, timeZone: string): string =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone }).format(new Date(timestamp));

/** A calendar date (`2026-12-31`) as printed: it names a day, not an instant, so no zone applies. */
export const formatDate = (date: string): string =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
