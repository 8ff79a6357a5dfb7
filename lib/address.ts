import type { ExternalAddress } from './records.js';

/**
 * Pure rules about addresses (docs/quotes.md "What a work order made from a quote carries", docs/sync.md): when two
 * addresses are the same place, and which work address a work order made from a quote gets. No I/O here.
 */

/**
 * One field reduced to what identifies the place: case, accents, spaces and punctuation do not count, so
 * "Dorpsstraat 12-a" = "dorpsstraat 12a", "1234 AB" = "1234ab", "'s-Hertogenbosch" = "s hertogenbosch".
 */
export function normaliseAddressPart(value: string | null | undefined): string {
  return (value ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Whether the address names a place at all: a street (with number), or a postal code or city. */
export function hasAddress(a: Pick<ExternalAddress, 'street' | 'postalCode' | 'city'> | null | undefined): a is ExternalAddress {
  return !!a && [a.street, a.postalCode, a.city].some((v) => normaliseAddressPart(v) !== '');
}

/**
 * Two addresses are the same place when street (with house number), postal code and city match once normalised
 * (`normaliseAddressPart`). Name and country do not count: a work address named after the contact at the same
 * street is still that street.
 */
export function sameAddress(a: Pick<ExternalAddress, 'street' | 'postalCode' | 'city'>, b: Pick<ExternalAddress, 'street' | 'postalCode' | 'city'>): boolean {
  return normaliseAddressPart(a.street) === normaliseAddressPart(b.street)
    && normaliseAddressPart(a.postalCode) === normaliseAddressPart(b.postalCode)
    && normaliseAddressPart(a.city) === normaliseAddressPart(b.city);
}

/** A work address the customer already has, as far as the choice below needs it. */
export interface KnownWorkAddress {
  id: string;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  active: boolean;
}

export type WorkAddressChoice =
  /** The customer's existing work address at that place. */
  | { kind: 'existing'; id: string }
  /** A new work address of the customer, at the address the quote/order gives. */
  | { kind: 'new'; address: ExternalAddress }
  /** The quote/order gives no address: the work order has none (the manuals' default; the office picks one). */
  | { kind: 'none' };

/**
 * The work address of a work order made from a quote or order (docs/quotes.md): the customer's active work address
 * that is the same place as the address on the quote/order (the first one, in the order given); else a new work
 * address of that customer; else, when the quote/order gives no address, none. An inactive address (kept only
 * because an open work order still uses it, docs/sync.md "Cleanup") is not reused: it is on its way out.
 */
export function chooseWorkAddress(address: ExternalAddress | null | undefined, existing: readonly KnownWorkAddress[]): WorkAddressChoice {
  if (!hasAddress(address)) return { kind: 'none' };
  const same = existing.find((w) => w.active && sameAddress(w, address));
  return same ? { kind: 'existing', id: same.id } : { kind: 'new', address };
}
