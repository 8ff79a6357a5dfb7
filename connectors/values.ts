/**
 * Defensive readers for provider JSON. Some APIs (FactuurSturen, per the fs_api gem) send numbers and
 * booleans as strings, empty strings for "nothing", or change types between records.
 */

/** Trimmed text, or null for null/undefined/empty. Numbers become their string form. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const t = value.trim();
    return t === '' ? null : t;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return Number.isFinite(Number(value)) ? String(value) : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}

/** A number from a number or a numeric string ("12.50", "12,50"); null otherwise. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = asText(value);
  if (text === null) return null;
  const normalised = text.includes('.') ? text : text.replace(',', '.');
  if (!/^[-+]?\d+(\.\d+)?$/.test(normalised)) return null;
  return Number(normalised);
}

/** A decimal string ("12.5", "-3", "0.25") for money and quantities, or null when there is no number. */
export function asDecimalString(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  const text = asText(value);
  if (text === null) return null;
  const normalised = text.includes('.') ? text : text.replace(',', '.');
  if (!/^[-+]?\d+(\.\d+)?$/.test(normalised)) return null;
  return normalised.replace(/^\+/, '');
}

/** true/false from booleans, 1/0, "true"/"false", "yes"/"no", "t"/"f", "j"/"n"; `fallback` when absent or unreadable. */
export function asBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = asText(value)?.toLowerCase();
  if (text === undefined || text === null) return fallback;
  if (['1', 'true', 'yes', 't', 'y', 'j', 'ja', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'f', 'n', 'nee', 'off'].includes(text)) return false;
  return fallback;
}

/** Compares ids numerically when both are numbers (so "9" < "10"), as text otherwise. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
