import { describe, expect, it } from 'vitest';
import { providerIds } from '../../lib/providers.js';
import { documentReference, referenceMaxLength } from '../../lib/references.js';

describe('our reference on each package’s document (docs/exactly-once.md)', () => {
  const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';

  it('fits the field each package keeps it in, and is the same on every attempt', () => {
    for (const provider of providerIds) {
      for (const id of [uuid, '1043', 'werkbon/'.repeat(20)]) {
        const ref = documentReference(provider, 'tenant-a', id, 'WB-1043');
        expect(ref.length, `${provider} ${ref}`).toBeLessThanOrEqual(referenceMaxLength[provider]);
        expect(documentReference(provider, 'tenant-a', id, 'WB-1043')).toBe(ref);
      }
    }
  });

  it('FactuurSturen: exactly 20 upper-case characters, distinct per tenant and work order', () => {
    const a = documentReference('factuursturen', 't1', uuid, '1');
    expect(a).toMatch(/^SIM[0-9A-HJKMNP-TV-Z]{17}$/);
    expect(documentReference('factuursturen', 't2', uuid, '1')).not.toBe(a);
    expect(documentReference('factuursturen', 't1', `${uuid}x`, '1')).not.toBe(a);
    const many = new Set(Array.from({ length: 5000 }, (_, i) => documentReference('factuursturen', 't', `wo-${i}`, String(i))));
    expect(many.size).toBe(5000);
  });

  it('iMuis: readable "WB <number>" because KENM is printed, a short hash when the number does not fit', () => {
    expect(documentReference('imuis', 't', uuid, '1043')).toBe('WB 1043');
    expect(documentReference('imuis', 't', uuid, 'WB-2026-0012')).toBe('WB WB-2026-0012');
    const long = documentReference('imuis', 't', uuid, 'a number far too long for KENM');
    expect(long).toMatch(/^S[0-9A-Z]{17}$/);
  });

  it('Rompslomp, Visma.net and Octopus: simon- and 32 hex characters', () => {
    for (const provider of ['rompslomp', 'visma-net', 'octopus'] as const) {
      expect(documentReference(provider, 't', uuid, '1')).toMatch(/^simon-[0-9a-f]{32}$/);
    }
  });
});
