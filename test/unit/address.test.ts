import { describe, expect, it } from 'vitest';
import { chooseWorkAddress, hasAddress, normaliseAddressPart, sameAddress, type KnownWorkAddress } from '../../lib/address.js';
import { mapOrder } from '../../connectors/visma-net/connector.js';
import type { ExternalAddress } from '../../lib/records.js';

const at = (street: string | null, postalCode: string | null, city: string | null) => ({ street, postalCode, city });
const known = (id: string, street: string, postalCode: string, city: string, active = true): KnownWorkAddress => ({ id, street, postalCode, city, active });

describe('address matching (docs/quotes.md)', () => {
  it('ignores case, spaces, punctuation and accents in each part', () => {
    expect(normaliseAddressPart(' Dorpsstraat 12-A ')).toBe('dorpsstraat12a');
    expect(normaliseAddressPart('1234 AB')).toBe(normaliseAddressPart('1234ab'));
    expect(normaliseAddressPart("'s-Hertogenbosch")).toBe(normaliseAddressPart('s Hertogenbosch'));
    expect(normaliseAddressPart('Café Nöël')).toBe('cafenoel');
    expect(normaliseAddressPart(null)).toBe('');
  });

  it('is the same place when street with number, postal code and city match; name and country do not count', () => {
    expect(sameAddress(at('Dunantstraat 140', '2131 RT', 'Eindhoven'), at('dunantstraat 140', '2131rt', 'EINDHOVEN'))).toBe(true);
    const home: ExternalAddress = { ...at('Kerkstraat 1', '1000 AA', 'Amsterdam'), name: 'Fam. Jansen', country: 'NL' };
    const shop: ExternalAddress = { ...at('Kerkstraat 1', '1000 AA', 'Amsterdam'), name: 'Bakkerij', country: 'Nederland' };
    expect(sameAddress(home, shop)).toBe(true);
  });

  it('is another place when the house number, postal code or city differs', () => {
    const base = at('Kerkstraat 1', '1000 AA', 'Amsterdam');
    expect(sameAddress(base, at('Kerkstraat 10', '1000 AA', 'Amsterdam'))).toBe(false);
    expect(sameAddress(base, at('Kerkstraat 1', '1000 AB', 'Amsterdam'))).toBe(false);
    expect(sameAddress(base, at('Kerkstraat 1', '1000 AA', 'Amstelveen'))).toBe(false);
    expect(sameAddress(base, at('Kerkstraat 1', null, 'Amsterdam'))).toBe(false);
  });

  it('needs a street, postal code or city to be an address at all', () => {
    expect(hasAddress(null)).toBe(false);
    expect(hasAddress(at(' ', '', null))).toBe(false);
    expect(hasAddress(at(null, null, 'Utrecht'))).toBe(true);
  });
});

describe('the work address of a work order made from a quote', () => {
  const existing = [known('a1', 'Dorpsstraat 1', '1111 AA', 'Ede'), known('a2', 'Molenweg 7', '2222 BB', 'Zeist')];

  it("reuses the customer's work address at the same place, not a second one", () => {
    expect(chooseWorkAddress(at('MOLENWEG 7', '2222bb', 'zeist'), existing)).toEqual({ kind: 'existing', id: 'a2' });
  });

  it('takes the first of two identical addresses', () => {
    expect(chooseWorkAddress(at('Molenweg 7', '2222 BB', 'Zeist'), [...existing, known('a3', 'Molenweg 7', '2222 BB', 'Zeist')])).toEqual({ kind: 'existing', id: 'a2' });
  });

  it('makes a new work address for a place the customer has none at', () => {
    const address = { name: 'Bouwplaats', ...at('Industrieweg 3', '3333 CC', 'Ede') };
    expect(chooseWorkAddress(address, existing)).toEqual({ kind: 'new', address });
  });

  it('does not reuse an inactive address (on its way out) but makes a new one', () => {
    const address = at('Dorpsstraat 1', '1111 AA', 'Ede');
    expect(chooseWorkAddress(address, [known('old', 'Dorpsstraat 1', '1111 AA', 'Ede', false)])).toEqual({ kind: 'new', address });
  });

  it('gives none when the quote/order names no address (iMuis, FactuurSturen, an empty shipping address)', () => {
    expect(chooseWorkAddress(undefined, existing)).toEqual({ kind: 'none' });
    expect(chooseWorkAddress(null, existing)).toEqual({ kind: 'none' });
    expect(chooseWorkAddress(at('', null, ' '), existing)).toEqual({ kind: 'none' });
  });
});

describe('Visma.net order shipping address', () => {
  const order = (shipping: unknown) => mapOrder({ type: 'SO', orderId: '000901', description: 'Lekkage', customerId: '10004', customerRefNo: 'PO-1', shipping } as never, []);

  it('maps shipping.address line1..3, postal code, city, country and the shipping contact as name', () => {
    expect(order({
      address: { id: 7, overridesDefault: true, line1: 'Bouwplaats Noord', line2: 'Industrieweg 3', line3: null, postalCode: '3333 CC', city: 'Ede', country: { id: 'NL', name: 'Nederland' } },
      contact: { name: 'Uitvoerder Piet' },
    }).workAddress).toEqual({ name: 'Uitvoerder Piet', street: 'Bouwplaats Noord, Industrieweg 3', postalCode: '3333 CC', city: 'Ede', country: 'Nederland' });
  });

  it('has no work address without an expanded or filled shipping address', () => {
    expect(order(undefined).workAddress).toBeNull();
    expect(order({ address: null, contact: null }).workAddress).toBeNull();
    expect(order({ address: { line1: '', line2: null, postalCode: null, city: null } }).workAddress).toBeNull();
  });
});
