import { z } from 'zod';

/**
 * The work order snapshot the Simon backend posts when it archives a work order
 * (`POST /v1/tenants/{tenant}/work-orders/{id}/archive`, docs/export.md, docs/api.md). The work order id is in the path.
 * Ids are checked as Postgres accepts them (any 8-4-4-4-12 hex), not as strict RFC 9562 UUIDs.
 */

export const workOrderSnapshotStatuses = ['open', 'planned', 'completed', 'archived'] as const;
export type WorkOrderSnapshotStatus = (typeof workOrderSnapshotStatuses)[number];

/**
 * Statuses that may be archived. Only a completed (gereed gemeld) work order can be archived; `archived` is
 * accepted too because the backend may post the snapshot after its own status change, and a repeated post of
 * the same work order must stay idempotent. `open`/`planned` are a wrong state (409), not bad input (400).
 */
export const archivableStatuses: readonly WorkOrderSnapshotStatus[] = ['completed', 'archived'];

export function isArchivable(status: WorkOrderSnapshotStatus): boolean {
  return archivableStatuses.includes(status);
}

const id = () => z.guid();

export const workOrderMaterialSchema = z
  .object({
    articleId: id().nullable().describe("Simon article id of the used article; null = a free-text material without article (cannot be booked)"),
    description: z.string().max(1000).nullish().describe('Line text as entered in Simon; when empty the article description is used'),
    // Stored with 4 decimals (numeric(14,4)): more would be lost silently, and 0.00001 would be sent as 0.
    quantity: z.number().positive().max(1_000_000).multipleOf(0.0001).describe('Quantity used, > 0, at most 4 decimals'),
    price: z
      .number()
      .min(-10_000_000)
      .max(10_000_000)
      .multipleOf(0.0001)
      .nullable()
      .describe("Unit price excl. VAT from the work order line; null = the accounting package's own price for the article"),
  })
  .describe('A used article (material) booked on the work order');

export const workOrderSnapshotSchema = z
  .object({
    number: z.string().trim().min(1).max(50).describe('Work order number as shown in Simon (werkbonnummer)'),
    status: z.enum(workOrderSnapshotStatuses).describe("Work order status; archiving requires 'completed' (gereed gemeld)"),
    customerId: id().nullable().describe('Simon customer id; null = no customer (the export fails with an action)'),
    workAddressId: id().nullable().describe('Simon work address id, or null'),
    description: z.string().max(10_000).describe('Work description (werkomschrijving), may span several lines'),
    customerReference: z.string().max(255).nullable().describe('Customer reference (klantreferentie), or null'),
    assignedUserId: z.string().min(1).max(100).nullable().describe('Simon user the work order is assigned to (decides the Visma.net warehouse), or null'),
    workMinutes: z.number().int().min(0).max(1_000_000).describe('Total work time in minutes'),
    travelMinutes: z.number().int().min(0).max(1_000_000).describe('Total travel time in minutes'),
    materials: z.array(workOrderMaterialSchema).max(1000).describe('Used articles, in the order of the work order'),
    workOrderPdf: z.string().min(1).max(2048).nullish().describe('URL or storage reference of the work order PDF'),
    formsPdf: z.string().min(1).max(2048).nullish().describe("URL or storage reference of the PDF with the firm's own forms"),
    archivedAt: z.iso.datetime({ offset: true })
      .refine((v) => plausibleArchiveTime(v), 'must lie between 2000-01-01 and one day from now')
      .optional()
      .describe('When the work order was archived (ISO 8601, between 2000 and one day from now); defaults to the time of receipt'),
  })
  .describe('Snapshot of a work order at the moment it is archived in Simon');

export type WorkOrderSnapshot = z.infer<typeof workOrderSnapshotSchema>;

/** An archive time a document date can come from: not year 1 or 9999 (a clock or a client bug), at most a day ahead. */
function plausibleArchiveTime(iso: string): boolean {
  const at = Date.parse(iso);
  // Not a date at all is the datetime check's to report (one issue per field).
  if (!Number.isFinite(at)) return true;
  return at >= Date.UTC(2000, 0, 1) && at <= Date.now() + 86_400_000;
}
export type WorkOrderMaterial = z.infer<typeof workOrderMaterialSchema>;

/** An article as the document needs it: `externalId` null = added locally in Simon, unknown to the provider. */
export interface ResolvedArticle {
  externalId: string | null;
  code: string;
  description: string;
}

export interface ResolvedCustomer {
  externalId: string | null;
  name: string;
}

export interface ResolvedWorkAddress {
  name: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  /** Whether the work address belongs to the work order's customer (docs/document.md). */
  customerMatches: boolean;
}

export type ResolvedMaterial = WorkOrderMaterial & {
  /** null when the material has no article (`articleId` null) or the article no longer exists in Simon. */
  article: ResolvedArticle | null;
};

/** The work order with its references looked up in Simon's tables: the input of `buildDocument` (docs/document.md). */
export type WorkOrderForDocument = Omit<WorkOrderSnapshot, 'materials'> & {
  /** Simon's work order id (from the path). */
  id: string;
  customer: ResolvedCustomer | null;
  workAddress: ResolvedWorkAddress | null;
  materials: ResolvedMaterial[];
};
