import { describe, expect, it } from 'vitest';
import { compareExports, countFindings, type ReconcileExport, type UpstreamDocument } from '../../lib/reconcile.js';
import * as m from '../../lib/messages.js';

/** The reconciliation's rules (docs/reconciliation.md) on their own; the end-to-end test is test/e2e/reconcile.test.ts. */

const sent = (n: number, extra: Partial<ReconcileExport> = {}): ReconcileExport => ({
  workOrderId: `wo-${n}`, workOrderNumber: `WB-${n}`, state: 'sent', reference: `simon-${n}`, documentId: `d${n}`, documentNumber: null, ...extra,
});
const upstream = (n: number, extra: Partial<UpstreamDocument> = {}): UpstreamDocument => ({ documentId: `d${n}`, documentNumber: null, reference: `simon-${n}`, ...extra });

describe('compareExports', () => {
  it('finds nothing when every sent export has its one document', () => {
    expect(compareExports([sent(1), sent(2)], [upstream(1), upstream(2), upstream(3, { reference: null })])).toEqual({ findings: [], numbersLearned: [] });
  });

  it('a sent export whose document is neither listed by reference nor by id is gone', () => {
    const { findings } = compareExports([sent(1)], [upstream(2)]);
    expect(findings).toEqual([expect.objectContaining({ kind: 'gone', workOrderId: 'wo-1', documents: [{ documentId: 'd1', documentNumber: null }] })]);
  });

  it('a listing that leaves the reference out still matches the document Simon recorded (Rompslomp U2)', () => {
    expect(compareExports([sent(1)], [upstream(1, { reference: null })]).findings).toEqual([]);
  });

  it('two documents with one reference are a duplicate, the recorded one named', () => {
    const { findings } = compareExports([sent(1)], [upstream(1), { documentId: 'd9', documentNumber: null, reference: 'simon-1' }]);
    expect(findings).toEqual([expect.objectContaining({ kind: 'duplicate', recordedDocumentId: 'd1', documents: [{ documentId: 'd1', documentNumber: null }, { documentId: 'd9', documentNumber: null }] })]);
  });

  it('a number that changed is a finding; a first number (a concept published) is only recorded', () => {
    const changed = compareExports([sent(1, { documentNumber: 'F-1' })], [upstream(1, { documentNumber: 'F-7' })]);
    expect(changed.findings).toEqual([expect.objectContaining({ kind: 'numberChanged', recordedNumber: 'F-1', upstreamNumber: 'F-7' })]);
    const learned = compareExports([sent(1)], [upstream(1, { documentNumber: 'F-1' })]);
    expect(learned).toEqual({ findings: [], numbersLearned: [{ workOrderId: 'wo-1', documentNumber: 'F-1' }] });
  });

  it('a failed or held export whose reference is on a document: exists anyway; without one nothing', () => {
    const exports = [sent(1, { state: 'failed', documentId: null }), sent(2, { state: 'held', documentId: null }), sent(3, { state: 'failed', documentId: null })];
    const { findings } = compareExports(exports, [upstream(1), upstream(2)]);
    expect(findings.map((f) => [f.kind, f.workOrderId, f.exportState])).toEqual([['existsUnsent', 'wo-1', 'failed'], ['existsUnsent', 'wo-2', 'held']]);
    expect(countFindings(findings)).toEqual({ gone: 0, duplicate: 0, numberChanged: 0, existsUnsent: 2 });
  });

  // Octopus (docs/providers/octopus.md §8): no reference on the invoice; the key is the planned document number.
  describe('documents without a reference (Octopus)', () => {
    const key = (nr: number) => `2026/V1/${nr}`;
    const octo = (n: number, extra: Partial<ReconcileExport> = {}) =>
      sent(n, { documentId: key(n), documentNumber: String(n), planned: { documentId: key(n), customerExternalId: '7' }, ...extra });
    const invoice = (nr: number, extra: Partial<UpstreamDocument> = {}): UpstreamDocument =>
      ({ documentId: key(nr), documentNumber: String(nr), reference: null, customerExternalId: '7', fingerprint: `7|2026-05-04|2|${nr}00.00`, ...extra });

    it('matches by the recorded key; an invoice nobody knows with another content is left alone', () => {
      expect(compareExports([octo(1), octo(2)], [invoice(1), invoice(2), invoice(3)])).toEqual({ findings: [], numbersLearned: [] });
    });

    it('a copy (same relation, date, lines and amount) at another number is a duplicate; one another export recorded is not', () => {
      const copy = invoice(9, { fingerprint: invoice(1).fingerprint });
      const { findings } = compareExports([octo(1), octo(2)], [invoice(1), invoice(2), copy]);
      expect(findings).toEqual([expect.objectContaining({ kind: 'duplicate', workOrderId: 'wo-1', documents: [{ documentId: key(1), documentNumber: '1' }, { documentId: key(9), documentNumber: '9' }] })]);
      // Two work orders with the same content each have their own invoice: no finding.
      const twin = compareExports([octo(1), octo(2, { documentId: key(9), documentNumber: '9', planned: { documentId: key(9), customerExternalId: '7' } })], [invoice(1), copy]);
      expect(twin.findings).toEqual([]);
      // A copy of one of two identical invoices cannot be attributed: not reported rather than reported twice.
      const ambiguous = compareExports([octo(1), octo(2, { documentId: key(9), documentNumber: '9', planned: { documentId: key(9), customerExternalId: '7' } })], [invoice(1), copy, invoice(10, { fingerprint: invoice(1).fingerprint })]);
      expect(ambiguous.findings).toEqual([]);
    });

    it('a failed export whose planned key holds an invoice of the planned relation: exists anyway; another relation\'s invoice there is not ours', () => {
      const failed = octo(4, { state: 'failed', documentId: null, documentNumber: null });
      expect(compareExports([failed], [invoice(4)]).findings).toEqual([expect.objectContaining({ kind: 'existsUnsent', documents: [{ documentId: key(4), documentNumber: '4' }] })]);
      expect(compareExports([failed], [invoice(4, { customerExternalId: '8' })]).findings).toEqual([]);
    });

    it('a deleted invoice is gone', () => {
      expect(compareExports([octo(1)], [invoice(2)]).findings).toEqual([expect.objectContaining({ kind: 'gone', documents: [{ documentId: key(1), documentNumber: '1' }] })]);
    });
  });
});

describe('reconciliation texts', () => {
  it('tell the administrator what to do, and that Simon changes nothing in the package by itself', () => {
    expect(m.reconcileDocumentGone({ provider: 'rompslomp', workOrderNumber: '1043', documentNumber: null, documentId: '77' })).toEqual({
      message: 'Controle: de conceptfactuur (id 77 in Rompslomp) van werkbon 1043 is niet meer te vinden in Rompslomp',
      action: 'Controleer in Rompslomp of de conceptfactuur bewust is verwijderd. Moet de werkbon toch gefactureerd worden, maak de factuur dan zelf aan in Rompslomp: Simon maakt hem niet opnieuw aan',
    });
    expect(m.reconcileDocumentGone({ provider: 'factuursturen', workOrderNumber: '1043', documentNumber: null, documentId: '5' }).message).toContain('(verstuurd of verwijderd)');
    expect(m.reconcileDuplicate({ provider: 'factuursturen', workOrderNumber: '9', documents: [{ documentId: '1', documentNumber: null }, { documentId: '2', documentNumber: null }], keep: '1' }).action)
      .toBe('Voorkom een dubbele factuur: houd die met id 1 (de conceptfactuur die Simon kent) en verwijder de andere in FactuurSturen. Simon verwijdert zelf niets');
    const unsent = m.reconcileExistsUnsent({ provider: 'octopus', workOrderNumber: '9', exportState: 'held', documentNumber: '12', documentId: 'x', uniqueReference: false });
    expect(unsent.message).toBe('Controle: het versturen van werkbon 9 is aangehouden, maar in Octopus staat er toch een verkoopfactuur 12 voor');
    expect(unsent.action).toContain("kies dan niet 'Opnieuw versturen'");
  });
});
