import type { ProviderId } from './providers.js';

/**
 * The weekly reconciliation's rules (docs/reconciliation.md), pure so they are tested on their own: the exports of
 * the last N days against the documents the package lists for those days. Nothing here changes anything upstream.
 */

export const findingKinds = ['gone', 'duplicate', 'numberChanged', 'existsUnsent'] as const;
export type FindingKind = (typeof findingKinds)[number];

/** An export as the reconciliation sees it (sent, failed or held; pending and skipped ones are left alone). */
export interface ReconcileExport {
  workOrderId: string;
  workOrderNumber: string;
  state: 'sent' | 'failed' | 'held';
  reference: string;
  documentId: string | null;
  documentNumber: string | null;
  /**
   * Packages where the caller chooses the document's key (Octopus, docs/providers/octopus.md §6): the key the export
   * planned before its first create and the relation it is for, so a failed or held export whose planned key holds an
   * invoice of that relation is found (the create went through after all, or the firm made it by hand at that number).
   */
  planned?: { documentId: string; customerExternalId: string } | null;
}

/** One document of the package's listing (connectors/types.ts `ListedDocument`, the fields compared). */
export interface UpstreamDocument {
  documentId: string;
  documentNumber: string | null;
  reference: string | null;
  customerExternalId?: string | null;
  /**
   * What the document is, for packages whose documents carry no reference of ours (Octopus: relation, date, number of
   * lines and amount): a second document with the fingerprint of an export's document is a duplicate of it.
   */
  fingerprint?: string | null;
}

/** One finding: ids and numbers only, so it can go into a workflow result and an event payload as it is. */
export interface Finding {
  kind: FindingKind;
  workOrderId: string;
  workOrderNumber: string;
  reference: string;
  exportState: ReconcileExport['state'];
  /** The document Simon recorded for the export (null: none, e.g. a failed export). */
  recordedDocumentId: string | null;
  /** The documents concerned (duplicate: all of them; gone: the one Simon recorded). */
  documents: { documentId: string; documentNumber: string | null }[];
  /** numberChanged: the number Simon recorded and the one the package shows now. */
  recordedNumber: string | null;
  upstreamNumber: string | null;
}

export type FindingCounts = Record<FindingKind, number>;

export const noFindings = (): FindingCounts => ({ gone: 0, duplicate: 0, numberChanged: 0, existsUnsent: 0 });

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts = noFindings();
  for (const f of findings) counts[f.kind]++;
  return counts;
}

/**
 * What the reconciliation found (the payload of the `reconcile.completed` event the lead emits after the run, see
 * docs/reconciliation.md). `complete: false` means nothing was compared (`stopped` says why).
 */
export interface ReconcileReport {
  tenantId: string;
  provider: ProviderId;
  /** The first day compared (`YYYY-MM-DD`) and the number of days. */
  since: string;
  days: number;
  ranAt: string;
  complete: boolean;
  stopped: 'quota' | 'not-active' | 'not-supported' | null;
  exportsCompared: number;
  documentsListed: number;
  counts: FindingCounts;
  /** At most MAX_REPORTED_FINDINGS; `counts` has them all. */
  findings: Finding[];
}

/** Findings carried in a report (the log has every one of them). */
export const MAX_REPORTED_FINDINGS = 100;

export interface Comparison {
  findings: Finding[];
  /** Sent exports whose recorded document has a number now and had none (a concept published): recorded silently. */
  numbersLearned: { workOrderId: string; documentNumber: string }[];
}

/**
 * Compares exports with the listing. A document belongs to an export when it carries the export's reference, when it
 * is the document Simon recorded (a listing may leave the reference out: Rompslomp, docs/providers/rompslomp.md U2),
 * when it is at the key the export planned and is for the planned relation (Octopus), or when it has the fingerprint of
 * the export's document, no export claims it and no other export's document has that fingerprint (Octopus: a copy of
 * the invoice, docs/reconciliation.md).
 */
export function compareExports(exports: readonly ReconcileExport[], listed: readonly UpstreamDocument[]): Comparison {
  const byReference = new Map<string, UpstreamDocument[]>();
  const byId = new Map<string, UpstreamDocument>();
  const byFingerprint = new Map<string, UpstreamDocument[]>();
  for (const doc of listed) {
    byId.set(doc.documentId, doc);
    if (doc.reference) {
      const list = byReference.get(doc.reference) ?? [];
      if (!list.some((d) => d.documentId === doc.documentId)) list.push(doc);
      byReference.set(doc.reference, list);
    }
    if (doc.fingerprint) byFingerprint.set(doc.fingerprint, [...(byFingerprint.get(doc.fingerprint) ?? []), doc]);
  }
  // Documents some export of the window knows (recorded, planned or by reference): never another export's copy.
  const references = new Set(exports.map((e) => e.reference));
  const claimed = new Set<string>();
  for (const e of exports) {
    if (e.documentId) claimed.add(e.documentId);
    if (e.planned) claimed.add(e.planned.documentId);
  }
  for (const doc of listed) if (doc.reference && references.has(doc.reference)) claimed.add(doc.documentId);
  // The document each export has (recorded, else planned); a copy is attributed only where one export's document has
  // its fingerprint (two identical work orders of one customer and day leave a copy ambiguous: not reported).
  const ownOf = (e: ReconcileExport) => (e.documentId !== null ? byId.get(e.documentId) : undefined) ?? (e.planned ? byId.get(e.planned.documentId) : undefined);
  const owners = new Map<string, number>();
  for (const e of exports) {
    const fp = ownOf(e)?.fingerprint;
    if (fp) owners.set(fp, (owners.get(fp) ?? 0) + 1);
  }

  const findings: Finding[] = [];
  const numbersLearned: Comparison['numbersLearned'] = [];
  for (const exp of exports) {
    const base = { workOrderId: exp.workOrderId, workOrderNumber: exp.workOrderNumber, reference: exp.reference, exportState: exp.state, recordedDocumentId: exp.documentId, recordedNumber: null, upstreamNumber: null };
    const docs = [...(byReference.get(exp.reference) ?? [])];
    const add = (d: UpstreamDocument | undefined) => {
      if (d && !docs.some((x) => x.documentId === d.documentId)) docs.push(d);
    };
    const recorded = exp.documentId !== null ? byId.get(exp.documentId) : undefined;
    add(recorded);
    const planned = exp.planned ? byId.get(exp.planned.documentId) : undefined;
    if (planned && (planned.customerExternalId ?? null) === exp.planned!.customerExternalId) add(planned);
    // Copies of the export's own document: same fingerprint, known to no export.
    const own = recorded ?? planned;
    if (own?.fingerprint && owners.get(own.fingerprint) === 1) for (const d of byFingerprint.get(own.fingerprint) ?? []) if (!claimed.has(d.documentId)) add(d);
    const documents = docs.map((d) => ({ documentId: d.documentId, documentNumber: d.documentNumber }));

    if (docs.length >= 2) findings.push({ ...base, kind: 'duplicate', documents });
    if (exp.state !== 'sent') {
      if (docs.length > 0) findings.push({ ...base, kind: 'existsUnsent', documents });
      continue;
    }
    if (docs.length === 0) {
      findings.push({ ...base, kind: 'gone', documents: exp.documentId ? [{ documentId: exp.documentId, documentNumber: exp.documentNumber }] : [] });
      continue;
    }
    // The number of the document Simon recorded (or, when Simon recorded none, of the only one there is).
    const mine = recorded ?? (docs.length === 1 ? docs[0] : undefined);
    if (!mine?.documentNumber) continue;
    if (exp.documentNumber === null) numbersLearned.push({ workOrderId: exp.workOrderId, documentNumber: mine.documentNumber });
    else if (exp.documentNumber !== mine.documentNumber) {
      findings.push({ ...base, kind: 'numberChanged', documents: [{ documentId: mine.documentId, documentNumber: mine.documentNumber }], recordedNumber: exp.documentNumber, upstreamNumber: mine.documentNumber });
    }
  }
  return { findings, numbersLearned };
}
