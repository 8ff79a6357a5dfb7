import type { AttachmentFile } from '../connectors/types.js';
import type * as messages from '../lib/messages.js';
import type { Settings } from '../lib/settings.js';
import type { WorkOrderForDocument } from '../lib/work-order.js';

type PdfKind = messages.AttachmentKind;

/** Which PDFs the settings ask for (manual §5.9); none for providers without the setting. */
export function attachmentKinds(settings: Settings): PdfKind[] {
  if (!('attachments' in settings)) return [];
  switch (settings.attachments) {
    case 'workOrderPdf':
      return ['workOrderPdf'];
    case 'workOrderAndFormsPdf':
      return ['workOrderPdf', 'formsPdf'];
    case 'formsPdf':
      return ['formsPdf'];
    case 'none':
      return [];
  }
}

const PDF_TIMEOUT_MS = 30_000;

/**
 * The PDF bytes from the work order's reference (a URL Simon serves). null when it does not exist: no reference,
 * not a URL, or 404/410 (docs/export.md: a missing forms PDF is skipped with a warning). Other failures throw, so
 * the activity retries.
 */
export async function fetchPdf(kind: PdfKind, wo: WorkOrderForDocument): Promise<AttachmentFile | null> {
  const ref = pdfReference(kind, wo);
  if (!ref) return null;
  const res = await fetch(ref, { signal: AbortSignal.timeout(PDF_TIMEOUT_MS) });
  if (res.status === 404 || res.status === 410) return null;
  if (!res.ok) throw new Error(`PDF ${kind} van werkbon ${wo.number}: HTTP ${res.status}`);
  const content = Buffer.from(await res.arrayBuffer());
  return { fileName: pdfFileName(kind, wo.number), contentType: 'application/pdf', content };
}

/** The name a PDF is attached under (a second post of a name makes a new revision in Visma.net). */
export function pdfFileName(kind: PdfKind, workOrderNumber: string): string {
  const fileName = kind === 'workOrderPdf' ? `Werkbon ${workOrderNumber}.pdf` : `Eigen formulieren ${workOrderNumber}.pdf`;
  return fileName.replace(/[\\/:*?"<>|]+/g, '-');
}

/** The PDF reference of a work order, when it is one `fetchPdf` can fetch (else the export skips it with a warning). */
export function pdfReference(kind: PdfKind, wo: Pick<WorkOrderForDocument, 'workOrderPdf' | 'formsPdf'>): string | null {
  const ref = kind === 'workOrderPdf' ? wo.workOrderPdf : wo.formsPdf;
  return ref && /^https?:\/\//i.test(ref) ? ref : null;
}
