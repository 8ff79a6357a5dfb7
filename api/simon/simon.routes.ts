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
const decimal = z.string().openapi({ description: 'Decimal number as a string', example: '12.5000' });

export const customerSchema = z
  .object({
    id,
    number: z.string().nullable(),
    name: z.string(),
    street: z.string().nullable(),
    postalCode: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
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
    street: z.string().nullable(),
    postalCode: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
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
        street: z.string().nullable(),
        postalCode: z.string().nullable(),
        city: z.string().nullable(),
        country: z.string().nullable(),
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

const read = access('read', { tenant: 'known' });

export const listCustomers = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/customers',
  tags: ['Simon data'],
  summary: 'Customers (Klanten), searchable on name and number',
  middleware: read,
  request: {
    params: tenantParams,
    query: z.object({ active: queryBoolean.optional(), q: search, ...pageQuery }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(customerSchema), ...pageInfo }), 'One page of customers'),
    ...tenantErrors,
  },
});

export const listCustomerWorkAddresses = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/customers/{customerId}/work-addresses',
  tags: ['Simon data'],
  summary: 'Work addresses (Werkadressen) of one customer',
  middleware: read,
  request: {
    params: customerParams,
    query: z.object({ active: queryBoolean.optional(), ...pageQuery }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(workAddressSchema), ...pageInfo }), 'One page of work addresses'),
    ...tenantErrors,
  },
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
  tags: ['Simon data'],
  summary: 'Add a work address made in Simon (origin "simon"; never written back to the accounting package)',
  middleware: access('backend', { tenant: 'known' }),
  request: { params: customerParams, body: jsonBody(newWorkAddressSchema) },
  responses: {
    201: jsonContent(workAddressSchema, 'The new work address'),
    ...tenantErrors,
  },
});

export const listWorkAddresses = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/work-addresses',
  tags: ['Simon data'],
  summary: 'Work addresses (Werkadressen) of all customers',
  middleware: read,
  request: {
    params: tenantParams,
    query: z.object({
      customerId: z.guid().optional(),
      origin: z.enum(workAddressOrigins).optional(),
      active: queryBoolean.optional(),
      ...pageQuery,
    }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(workAddressSchema), ...pageInfo }), 'One page of work addresses'),
    ...tenantErrors,
  },
});

export const listArticles = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/articles',
  tags: ['Simon data'],
  summary: 'Articles (Artikelen) with their group, searchable on code and description',
  middleware: read,
  request: {
    params: tenantParams,
    query: z.object({ active: queryBoolean.optional(), q: search, groupId: z.guid().optional(), ...pageQuery }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(articleSchema), ...pageInfo }), 'One page of articles'),
    ...tenantErrors,
  },
});

export const listArticleGroups = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/article-groups',
  tags: ['Simon data'],
  summary: 'Article groups (Artikel Groepen)',
  middleware: read,
  request: {
    params: tenantParams,
    query: z.object({ active: queryBoolean.optional(), ...pageQuery }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(articleGroupSchema), ...pageInfo }), 'One page of article groups'),
    ...tenantErrors,
  },
});

export const listWorkOrders = createRoute({
  method: 'get',
  path: '/tenants/{tenant}/work-orders',
  tags: ['Simon data'],
  summary: 'Work orders, e.g. those created from quotes (`source=quote`), newest first, with their materials, origin quote and work address',
  middleware: read,
  request: {
    params: tenantParams,
    query: z.object({ source: z.enum(['simon', 'quote']).optional(), status: z.enum(workOrderStatuses).optional(), ...pageQuery }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(workOrderSchema), ...pageInfo }), 'One page of work orders'),
    ...tenantErrors,
  },
});

export type ListCustomersRoute = typeof listCustomers;
export type ListCustomerWorkAddressesRoute = typeof listCustomerWorkAddresses;
export type AddWorkAddressRoute = typeof addWorkAddress;
export type ListWorkAddressesRoute = typeof listWorkAddresses;
export type ListArticlesRoute = typeof listArticles;
export type ListArticleGroupsRoute = typeof listArticleGroups;
export type ListWorkOrdersRoute = typeof listWorkOrders;
