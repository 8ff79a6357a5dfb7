import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema, jsonBody, jsonContent, tenantErrors, tenantParams } from '../schemas.js';
import { access } from '../auth.js';
import { workOrderSnapshotSchema } from '../../lib/work-order.js';

/** The document preview (docs/preview.md): the document an archive would send now, without sending it. */

const params = tenantParams.extend({
  id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').openapi({ param: { name: 'id', in: 'path' }, example: 'wo-1043' }),
});

const lineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), description: z.string() }),
  z.object({
    kind: z.literal('article'),
    role: z.enum(['work-time', 'travel-time', 'material', 'default']),
    articleExternalId: z.string().openapi({ description: 'Id of the article in the accounting package' }),
    articleCode: z.string(),
    description: z.string(),
    quantity: z.number(),
    unitPrice: z.string().nullable().openapi({ description: "Decimal string excl. VAT; null = the package's own price for the article" }),
  }),
]).openapi('DocumentLine');

const problemSchema = z.object({
  code: z.string().openapi({
    description: 'no-customer, customer-not-synced, work-address-other-customer, article-not-synced (Simon side, as the export records them); '
      + 'article-not-found-upstream, warehouse-missing, refused (what the package would refuse)',
    example: 'article-not-synced',
  }),
  message: z.string().openapi({ description: 'Dutch "Bericht", as the integration log would show it' }),
  action: z.string().openapi({ description: 'Dutch "Te nemen actie"' }),
  detail: z.string().nullable().openapi({ description: 'The customer, address, article code or warehouse concerned' }),
}).openapi('PreviewProblem');

export const previewSchema = z.object({
  provider: z.string(),
  documentType: z.enum(['invoice', 'salesOrder']),
  settingsVersionId: z.number().int().openapi({ description: 'The settings version in force now, which built the document' }),
  outcome: z.enum(['send', 'skip']).openapi({ description: '`skip`: the export would skip this work order (filter word, or it came from a sales order)' }),
  skipped: z.object({ message: z.string(), action: z.string().nullable() }).nullable(),
  document: z.object({
    documentType: z.enum(['invoice', 'salesOrder']),
    reference: z.string().openapi({ description: 'Our unique reference on the document (how the export finds it again)' }),
    workOrderId: z.string(),
    workOrderNumber: z.string(),
    date: z.string().openapi({ description: 'Document date, YYYY-MM-DD (the archive date)' }),
    customer: z.object({ externalId: z.string().nullable(), name: z.string() }).nullable(),
    lines: z.array(lineSchema).openapi({ description: 'Every line that can be booked; a line with a problem is left out' }),
    paymentReference: z.string().nullable(),
    descriptionLines: z.array(z.string()),
    memo: z.string().nullable(),
    customerReference: z.string().nullable(),
    warehouse: z.string().nullable(),
    attachments: z.array(z.object({
      kind: z.enum(['workOrderPdf', 'formsPdf']),
      fileName: z.string(),
      source: z.string().nullable().openapi({ description: 'Where the export fetches the PDF; null = none (sent without, with a warning)' }),
    })),
  }),
  requestBody: z.unknown().openapi({
    description: "The package's create request body exactly as the export would send it (JSON; iMuis: the VERKOOPORDER XML text); "
      + 'never credentials. null when a problem stops the export. Octopus: the document number is the one the next export would plan, not reserved.',
  }),
  problems: z.array(problemSchema).openapi({ description: 'Every problem that would make the export fail; empty = it would be sent' }),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), action: z.string().nullable() })),
}).openapi('DocumentPreview');

export const previewDocument = createRoute({
  method: 'post',
  path: '/tenants/{tenant}/work-orders/{id}/preview',
  middleware: access('admin', { tenant: 'known' }),
  tags: ['Work orders'],
  summary: 'Document preview: the document an archive would send now, its request body and every problem; nothing is sent or stored',
  request: { params, body: jsonBody(workOrderSnapshotSchema, 'The work order snapshot, as the archive takes it') },
  responses: {
    200: jsonContent(previewSchema, 'The document as it would be sent with the settings in force now'),
    ...tenantErrors,
    409: jsonContent(errorSchema, 'The integration is not active'),
    503: jsonContent(errorSchema, 'The accounting package could not be reached'),
  },
});
