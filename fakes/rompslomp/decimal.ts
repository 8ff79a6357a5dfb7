/**
 * Exact decimal arithmetic for the fake's amounts. Rompslomp takes "arbitrary-precision floating point numbers
 * represented as a string" (a Rails BigDecimal), so the fake must not compute with binary floats: 0.333333 × 62.5 is
 * 20.8333125, not 20.833312499999998. A decimal is an integer of units with a scale (number of decimals).
 */

export interface Decimal {
  units: bigint;
  scale: number;
}

/** Plain fixed-point notation only: no exponent, no sign but a leading minus, no thousands separators. */
export const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

export function parseDecimal(text: string): Decimal {
  if (!DECIMAL_TEXT.test(text)) throw new Error(`Not a decimal: ${text}`);
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(`${whole}${fraction}`);
  return { units: negative ? -units : units, scale: fraction.length };
}

function rescale(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** Rounded to `places` decimals, half away from zero (as BigDecimal's ROUND_HALF_UP). */
export function round(d: Decimal, places: number): Decimal {
  if (d.scale <= places) return { units: rescale(d, places), scale: places };
  const divisor = 10n ** BigInt(d.scale - places);
  const negative = d.units < 0n;
  const abs = negative ? -d.units : d.units;
  let quotient = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale: places };
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

export function sum(values: Decimal[]): Decimal {
  return values.reduce(add, ZERO);
}

export function isNegative(d: Decimal): boolean {
  return d.units < 0n;
}

/** As Rails renders a BigDecimal: trailing zeros dropped, at least one decimal ("300.0", "20.83", "0.333333"). */
export function formatDecimal(d: Decimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = digits.slice(digits.length - d.scale).replace(/0+$/, '') || '0';
  return `${negative && d.units !== 0n ? '-' : ''}${whole}.${fraction}`;
}
