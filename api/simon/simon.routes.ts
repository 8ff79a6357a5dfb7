import { createRoute, z } from '@hono/zod-openapi';
import { workAddressOrigins, workOrderStatuses } from '../../db/schema.js';
import { providerIds } from '../../lib/providers.js';
import { access } from '../auth.js';
import { jsonBody, jsonContent, pageInfo, pageQuery, queryBoolean, tenantErrors, tenantIdSchema, tenantParams, timestamp } from '../schemas.js';

/** Simon-side reads for the Simon backend (docs/api.md), plus adding a work address. */

const audit = {
  createdAt: timestamp,
  updatedAt: timestamp,
  simonMutatedAt: timestamp.nullable().openapi({ description: 'Last change made on the Simon side' }),
  integrationUpdatedAt: timestamp.nullable().openapi({ description: 'Last change written by the integration' }),
};
const id = z.string().openapi({ format: 'uuid' });
/** The postal address of a customer or work address, as Simon stores it. */
const address = { street: z.string().nullable(), postalCode: z.string().nullable(), city: z.string().nullable(), country: z.string().nullable() };
const decimal = z.string().openapi({ description: 'Decimal number as a string', example: '12.5000' });

export const customerSchema = z
  .object({
    id,
    number: z.string().nullable(),
    name: z.string(),
    ...address,
    email: z.string().nullable(),
    phone: z.string().nullable(),
    active: z.boolean(),
    externalId: z.string().nullable().openapi({ description: 'Id in the accounting package; null = added locally in Simon' }),
    ...audit,
  })
  .openapi('Customer');

export const workAddressSchema = z
  .object({
    id,
    customerId: id,
    name: z.string().nullable(),
    ...address,
    active: z.boolean(),
    externalId: z.string().nullable(),
    origin: z.enum(workAddressOrigins),
    originLabel: z.string().openapi({ example: 'Toegevoegd in Simon' }),
    ...audit,
  })
  .openapi('WorkAddress');

export const articleGroupSchema = z
  .object({ id, code: z.string(), description: z.string(), active: z.boolean(), externalId: z.string().nullable(), ...audit })
  .openapi('ArticleGroup');

export const articleSchema = z
  .object({
    id,
    code: z.string(),
    description: z.string(),
    salesPrice: decimal.nullable(),
    unit: z.string().nullable(),
    active: z.boolean(),
    externalId: z.string().nullable(),
    groupExternalId: z.string().nullable(),
    group: z.object({ id, code: z.string(), description: z.string() }).nullable(),
    ...audit,
  })
  .openapi('Article');

export const workOrderSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    customerId: id.nullable(),
    workAddressId: id.nullable(),
    description: z.string(),
    customerReference: z.string().nullable(),
    status: z.enum(workOrderStatuses),
    statusLabel: z.string().openapi({ example: 'Open' }),
    assignedUserId: z.string().nullable(),
    source: z.enum(['simon', 'quote']),
    sourceQuoteId: z.string().nullable(),
    origin: z
      .object({
        provider: z.enum(providerIds),
        kind: z.enum(['quote', 'salesOrder']).openapi({ description: 'A quote (offerte; Visma.net `QT`), or a sales order (Visma.net `SO`)' }),
        kindLabel: z.string().openapi({ example: 'Offerte' }),
        quoteId: z.string().openapi({ description: "The quote's or order's id in the package (Visma.net `{type}/{orderId}`)", example: 'SO/000901' }),
        quoteNumber: z.string().nullable().openapi({ description: 'The number the firm knows it by', example: '000901' }),
        importedAt: timestamp,
      })
      .nullable()
      .openapi({ description: 'The quote or order this work order was made from (docs/quotes.md); null for a work order made in Simon' }),
    workAddress: z
      .object({
        id,
        name: z.string().nullable(),
        ...address,
        active: z.boolean(),
        origin: z.enum(workAddressOrigins),
        originLabel: z.string().openapi({ example: 'Afleveradres' }),
      })
      .nullable()
      .openapi({ description: 'The work address (the one `workAddressId` names), for planning; null when the work order has none' }),
    workMinutes: z.number().int(),
    travelMinutes: z.number().int(),
    workOrderPdf: z.string().nullable(),
    formsPdf: z.string().nullable(),
    notes: z.string().nullable(),
    archivedAt: timestamp.nullable(),
    materials: z.array(
      z.object({
        position: z.number().int(),
        articleId: id.nullable(),
        description: z.string().nullable(),
        quantity: decimal,
        price: decimal.nullable(),
      }),
    ),
    ...audit,
  })
  .openapi('WorkOrder');

const customerIdParam = z.guid().openapi({ param: { name: 'customerId', in: 'path' }, format: 'uuid' });
const customerParams = z.object({ tenant: tenantIdSchema, customerId: customerIdParam });
const search = z.string().trim().max(200).optional().openapi({ description: 'Case-insensitive substring search' });

const tags = ['Simon data'];

/** A Simon-side list: GET for every reader of a known tenant, limit/offset paging, one page of `item`s. */
function pageRoute<const Path extends string, P extends z.ZodObject, Q extends z.ZodRawShape, I extends z.ZodType>(route: {
  path: Path; summary: string; params: P; query: Q; item: I; items: string;
}) {
  return createRoute({
    method: 'get',
    path: route.path,
    tags,
    summary: route.summary,
    middleware: access('read', { tenant: 'known' }),
    request: { params: route.params, query: z.object({ ...route.query, ...pageQuery }) },
    responses: {
      200: jsonContent(z.object({ items: z.array(route.item), ...pageInfo }), `One page of ${route.items}`),
      ...tenantErrors,
    },
  });
}

export const listCustomers = pageRoute({
  path: '/tenants/{tenant}/customers', summary: 'Customers (Klanten), searchable on name and number',
  params: tenantParams, query: { active: queryBoolean.optional(), q: search },
  item: customerSchema, items: 'customers',
});

export const listCustomerWorkAddresses = pageRoute({
  path: '/tenants/{tenant}/customers/{customerId}/work-addresses', summary: 'Work addresses (Werkadressen) of one customer',
  params: customerParams, query: { active: queryBoolean.optional() },
  item: workAddressSchema, items: 'work addresses',
});

export const newWorkAddressSchema = z
  .strictObject({
    name: z.string().trim().max(200).nullable().optional(),
    street: z.string().trim().min(1).max(200),
    postalCode: z.string().trim().min(1).max(20),
    city: z.string().trim().min(1).max(100),
    country: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .openapi('NewWorkAddress', {
    example: { name: 'Jan den Butter', street: 'Dunantstraat 140', postalCode: '2131 RT', city: 'Eindhoven', country: 'NL' },
  });

export const addWorkAddress = createRoute({
  method: 'post',
  path: '/tenants/{tenant}/customers/{customerId}/work-addresses',
  tags,
  summary: 'Add a work address made in Simon (origin "simon"; never written back to the accounting package)',
  middleware: access('backend', { tenant: 'known' }),
  request: { params: customerParams, body: jsonBody(newWorkAddressSchema) },
  responses: {
    201: jsonContent(workAddressSchema, 'The new work address'),
    ...tenantErrors,
  },
});

export const listWorkAddresses = pageRoute({
  path: '/tenants/{tenant}/work-addresses', summary: 'Work addresses (Werkadressen) of all customers',
  params: tenantParams, query: { customerId: z.guid().optional(), origin: z.enum(workAddressOrigins).optional(), active: queryBoolean.optional() },
  item: workAddressSchema, items: 'work addresses',
});

export const listArticles = pageRoute({
  path: '/tenants/{tenant}/articles', summary: 'Articles (Artikelen) with their group, searchable on code and description',
  params: tenantParams, query: { active: queryBoolean.optional(), q: search, groupId: z.guid().optional() },
  item: articleSchema, items: 'articles',
});

export const listArticleGroups = pageRoute({
  path: '/tenants/{tenant}/article-groups', summary: 'Article groups (Artikel Groepen)',
  params: tenantParams, query: { active: queryBoolean.optional() },
  item: articleGroupSchema, items: 'article groups',
});

export const listWorkOrders = pageRoute({
  path: '/tenants/{tenant}/work-orders', summary: 'Work orders, e.g. those created from quotes (`source=quote`), newest first, with their materials, origin quote and work address',
  params: tenantParams, query: { source: z.enum(['simon', 'quote']).optional(), status: z.enum(workOrderStatuses).optional() },
  item: workOrderSchema, items: 'work orders',
});

export type ListCustomersRoute = typeof listCustomers;
export type ListCustomerWorkAddressesRoute = typeof listCustomerWorkAddresses;
export type AddWorkAddressRoute = typeof addWorkAddress;
export type ListWorkAddressesRoute = typeof listWorkAddresses;
export type ListArticlesRoute = typeof listArticles;
export type ListArticleGroupsRoute = typeof listArticleGroups;
export type ListWorkOrdersRoute = typeof listWorkOrders;
