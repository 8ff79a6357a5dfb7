import { checkErrors, vismaNetTexts as texts } from '../../lib/messages.js';
import type { FieldCheck, Settings, SettingsOf } from '../../lib/settings.js';
import { articleSettingFields, hasStatus, termsCheck } from '../kit.js';
import { asText } from '../values.js';
import { SELLABLE_ITEM_STATES, articleFound } from './mappers.js';
import type { Reads } from './reads.js';

/**
 * "Controleer" for Visma.net (docs/settings.md, docs/providers/visma-net.md): the company is the one the token
 * reaches; the articles must be active Non-Stock items; the order types the settings use must exist and be active,
 * with the app allowed on SalesOrders V3; the warehouses matter for sales orders only.
 */

export type VismaNetSettings = SettingsOf<'visma-net'>;
export interface Company {
  id: string;
  name: string;
  organizationCd: string | null;
}

export function createChecks(reads: Reads, company: () => Promise<Company>) {
  /** "Controleer" (docs/settings.md): the company first, then the articles, order types, warehouses and terms. */
  async function check(input: Settings): Promise<FieldCheck[]> {
    if (input.provider !== 'visma-net') throw new Error(texts.wrongSettings);
    // The company first (manual §5.2, docs/settings.md): it is the connected tenant; the other fields wait until it is right.
    const c = await company();
    const typed = input.companyId.trim().toLowerCase();
    if (typed !== c.id.toLowerCase() && typed !== (c.organizationCd ?? '').toLowerCase()) {
      return [{ field: 'companyId', ok: false, error: checkErrors.companyUnknown('visma-net') }, termsCheck(input.termsAccepted)];
    }
    const checks: FieldCheck[] = [{ field: 'companyId', ok: true, found: { id: c.id, name: c.name, organizationCd: c.organizationCd } }];

    for (const field of articleSettingFields) {
      const code = input[field];
      if (code === null || code === undefined) continue;
      const found = await reads.item(code.trim());
      if (!found) checks.push({ field, ok: false, error: checkErrors.articleUnknown('visma-net') });
      else if (asText(found.type) !== 'NonStockItem') checks.push({ field, ok: false, error: checkErrors.articleNotNonStock(), found: articleFound(found) });
      else if (!SELLABLE_ITEM_STATES.has(asText(found.status) ?? 'Active')) checks.push({ field, ok: false, error: checkErrors.articleInactive('visma-net'), found: articleFound(found) });
      else checks.push({ field, ok: true, found: articleFound(found) });
    }

    checks.push(...(await orderTypeChecks(input)));
    // Warehouses matter for sales orders only (docs/export.md).
    if (input.documentType === 'salesOrder') checks.push(...(await warehouseChecks(input.warehouse)));
    checks.push(termsCheck(input.termsAccepted));
    return checks;
  }

  /**
   * The order types the settings use exist and are active (`SO` for sales orders and their import, `QT` for the quote
   * import), and the app may use SalesOrders V3 at all (U12: a 403 there means the scope is missing).
   */
  async function orderTypeChecks(input: VismaNetSettings): Promise<FieldCheck[]> {
    const wanted: { field: string; type: string }[] = [];
    if (input.documentType === 'salesOrder') wanted.push({ field: 'documentType', type: 'SO' });
    if (input.orders.import !== 'none') wanted.push({ field: 'orders.import', type: input.orders.import === 'quote' ? 'QT' : 'SO' });
    if (wanted.length === 0) return [];
    const types = await reads.orderTypes();
    let v3Refused = false;
    try {
      await reads.v3Page('SalesOrders/SO', { pageSize: 1 });
    } catch (err) {
      if (!hasStatus(err, 403)) throw err;
      v3Refused = true;
    }
    return wanted.map(({ field, type }): FieldCheck => {
      const found = types.find((t) => asText(t.orderType) === type);
      if (!found) return { field, ok: false, error: texts.orderTypeUnknown(type) };
      const echo = { orderType: type, description: asText(found.description) };
      if (asText(found.active) === 'false') return { field, ok: false, error: texts.orderTypeInactive(type), found: echo };
      if (v3Refused) return { field, ok: false, error: texts.salesOrderScopeMissing, found: echo };
      return { field, ok: true, found: echo };
    });
  }

  async function warehouseChecks(w: VismaNetSettings['warehouse']): Promise<FieldCheck[]> {
    const wanted: { field: string; code: string }[] = [];
    if (w === null || (w.perUser && Object.keys(w.byUser).length === 0 && w.default === null)) {
      return [{ field: 'warehouse.default', ok: false, error: checkErrors.warehouseDefaultRequired() }];
    }
    if (w.perUser) for (const [user, code] of Object.entries(w.byUser)) wanted.push({ field: `warehouse.byUser.${user}`, code });
    if (w.default !== null) wanted.push({ field: 'warehouse.default', code: w.default });
    const all = await reads.warehouses(false);
    return wanted.map(({ field, code }): FieldCheck => {
      const found = all.find((x) => asText(x.warehouseID) === code.trim());
      if (!found) return { field, ok: false, error: checkErrors.warehouseUnknown('visma-net') };
      const echo = { id: asText(found.warehouseID), name: asText(found.description) };
      if (asText(found.active) === 'false') return { field, ok: false, error: checkErrors.warehouseInactive('visma-net'), found: echo };
      return { field, ok: true, found: echo };
    });
  }

  return { check };
}
