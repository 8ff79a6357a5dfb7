import { createHash } from 'node:crypto';
import type { ProviderId } from './providers.js';

/**
 * Our reference on the document each package creates for an archived work order: how a retry finds the document
 * again (docs/exactly-once.md). It is fixed when the work order is archived and stored on the export row, so every
 * attempt uses the same one. Each package has its own field for it, with its own length and visibility
 * (docs/providers/<provider>.md, "Exactly once"):
 *
 * - FactuurSturen: the concept's save name, at most 20 characters and unique per account → `SIM` + 17 Crockford
 *   base32 characters of SHA-256(tenant, work order): 85 bits, upper case only, never printed.
 * - Rompslomp: `api_reference`, unique per company and never shown → `simon-` + 32 hex (38 characters).
 * - Visma.net: a custom field of the order / the invoice's `externalReference`, at most 40 → `simon-` + 32 hex.
 * - iMuis: `KENM` (25 characters) is printed on the invoice and is what payments are matched on, so it is readable:
 *   `WB <work order number>` when that fits in 20 plain characters, otherwise `S` + 17 base32 characters.
 * - Octopus: no field that stays off the printed invoice; the document is found again by the document number we plan
 *   (the export's plan), so this reference only names the export in our own tables and logs.
 */
export function documentReference(provider: ProviderId, tenantId: string, workOrderId: string, workOrderNumber: string): string {
  const digest = createHash('sha256').update(`${tenantId}\u0000${workOrderId}`).digest();
  switch (provider) {
    case 'factuursturen':
      return `SIM${base32(digest).slice(0, 17)}`;
    case 'imuis': {
      const readable = `WB ${workOrderNumber.trim()}`;
      return /^WB [A-Za-z0-9._/-]{1,17}$/.test(readable) ? readable : `S${base32(digest).slice(0, 17)}`;
    }
    case 'rompslomp':
    case 'visma-net':
    case 'octopus':
      return `simon-${digest.subarray(0, 16).toString('hex')}`;
  }
}

/** The longest reference each package's field takes (docs/providers/<provider>.md). */
export const referenceMaxLength: Record<ProviderId, number> = {
  factuursturen: 20,
  imuis: 20,
  rompslomp: 50,
  'visma-net': 40,
  octopus: 50,
};

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 (no I, L, O, U): safe in any field, and unchanged by case-insensitive comparisons. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}
