// Money between Fieldline and QuickBooks: we keep integers in the currency's minor unit, QuickBooks
// sends and takes decimals (`12.34`). The conversion goes through the decimal text, never through
// float arithmetic, so 1999 cents is 19.99 both ways and a value that cannot be one exact amount
// (three decimals for USD, 1e21, a string) is refused rather than rounded.
import { minorUnitDigits } from '../../delivery/documents/money.ts';

/** More significant digits than a double holds exactly: JSON cannot carry it without drift. */
const MAX_DIGITS = 15;

export class AmountError extends Error {}

/** 1999 USD -> 19.99 (a number whose JSON text is exactly `19.99`). */
export function toQboAmount(minorUnits: number, currency: string): number {
  if (!Number.isSafeInteger(minorUnits)) throw new AmountError(`${minorUnits} is not a whole number of minor units`);
  const digits = minorUnitDigits(currency);
  const negative = minorUnits < 0;
  const text = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  if (text.replace(/^0+/, '').length > MAX_DIGITS)
    throw new AmountError(`${minorUnits} ${currency} has more digits than QuickBooks amounts carry exactly`);
  const whole = text.slice(0, text.length - digits);
  const fraction = digits ? `.${text.slice(text.length - digits)}` : '';
  return Number(`${negative ? '-' : ''}${whole}${fraction}`);
}

/**
 * 19.99 USD -> 1999. The number's shortest decimal text is what QuickBooks wrote (JSON.parse keeps
 * it for up to 15 significant digits), so it is read digit by digit; more decimals than the
 * currency has is an error, not a rounding.
 */
export function fromQboAmount(value: unknown, currency: string): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  const match = text ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(text) : null;
  if (!match) throw new AmountError(`QuickBooks amount ${JSON.stringify(value)} is not a decimal number`);
  const [, sign, whole, fraction = ''] = match;
  const digits = minorUnitDigits(currency);
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > digits)
    throw new AmountError(`QuickBooks amount ${text} has more decimals than ${currency} (${digits})`);
  const minor = Number(`${whole}${significant.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) throw new AmountError(`QuickBooks amount ${text} is too large`);
  return sign && minor !== 0 ? -minor : minor;
}
