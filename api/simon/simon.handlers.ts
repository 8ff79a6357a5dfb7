import {
  addWorkAddress as insertWorkAddress, customerExists, listArticleGroups as queryArticleGroups, listArticles as queryArticles,
  listCustomers as queryCustomers, listWorkAddresses as queryWorkAddresses, listWorkOrders as queryWorkOrders,
  type Article, type ArticleGroup, type Customer, type Page, type WorkAddress, type WorkOrder,
} from '../../db/queries/simon.js';
import { quoteKindLabels, workAddressOriginLabels, workOrderStatusLabels } from '../../db/queries/labels.js';
import { notFound } from '../errors.js';
import { iso } from '../schemas.js';
import type { AppRouteHandler } from '../types.js';
import type {
  AddWorkAddressRoute, ListArticleGroupsRoute, ListArticlesRoute, ListCustomersRoute, ListCustomerWorkAddressesRoute,
  ListWorkAddressesRoute, ListWorkOrdersRoute,
} from './simon.routes.js';

type Audited = { createdAt: Date; updatedAt: Date; simonMutatedAt: Date | null; integrationUpdatedAt: Date | null };
const audit = (r: Audited) => ({
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  simonMutatedAt: iso(r.simonMutatedAt),
  integrationUpdatedAt: iso(r.integrationUpdatedAt),
});

type Addressed = { street: string | null; postalCode: string | null; city: string | null; country: string | null };
const address = (r: Addressed) => ({ street: r.street, postalCode: r.postalCode, city: r.city, country: r.country });

const customerJson = (r: Customer) => ({
  id: r.id,
  number: r.number,
  name: r.name,
  ...address(r),
  email: r.email,
  phone: r.phone,
  active: r.active,
  externalId: r.externalId,
  ...audit(r),
});

const workAddressJson = (r: WorkAddress) => ({
  id: r.id,
  customerId: r.customerId,
  name: r.name,
  ...address(r),
  active: r.active,
  externalId: r.externalId,
  origin: r.origin,
  originLabel: workAddressOriginLabels[r.origin] ?? r.origin,
  ...audit(r),
});

const articleGroupJson = (r: ArticleGroup) => ({
  id: r.id,
  code: r.code,
  description: r.description,
  active: r.active,
  externalId: r.externalId,
  ...audit(r),
});

const articleJson = (r: Article) => ({
  id: r.id,
  code: r.code,
  description: r.description,
  salesPrice: r.salesPrice,
  unit: r.unit,
  active: r.active,
  externalId: r.externalId,
  groupExternalId: r.groupExternalId,
  group: r.group,
  ...audit(r),
});

const workOrderJson = (r: WorkOrder) => ({
  id: r.id,
  number: r.number,
  customerId: r.customerId,
  workAddressId: r.workAddressId,
  description: r.description,
  customerReference: r.customerReference,
  status: r.status,
  statusLabel: workOrderStatusLabels[r.status] ?? r.status,
  assignedUserId: r.assignedUserId,
  source: r.source,
  sourceQuoteId: r.sourceQuoteId,
  origin: r.origin && {
    provider: r.origin.provider,
    kind: r.origin.kind,
    kindLabel: quoteKindLabels[r.origin.kind],
    quoteId: r.origin.quoteId,
    quoteNumber: r.origin.quoteNumber,
    importedAt: r.origin.importedAt.toISOString(),
  },
  workAddress: r.workAddress && { ...r.workAddress, originLabel: workAddressOriginLabels[r.workAddress.origin] ?? r.workAddress.origin },
  workMinutes: r.workMinutes,
  travelMinutes: r.travelMinutes,
  workOrderPdf: r.workOrderPdf,
  formsPdf: r.formsPdf,
  notes: r.notes,
  archivedAt: iso(r.archivedAt),
  materials: r.materials.map((m) => ({
    position: m.position,
    articleId: m.articleId,
    description: m.description,
    quantity: m.quantity,
    price: m.price,
  })),
  ...audit(r),
});

/** One page as the lists answer it: `{ items, nextOffset }`, each row as the API shows it. */
const pageJson = <T, J>(page: Page<T>, present: (row: T) => J) => ({ items: page.items.map(present), nextOffset: page.nextOffset });

export const listCustomers: AppRouteHandler<ListCustomersRoute> = async (c) => {
  const page = await queryCustomers(c.get('deps').database, c.req.valid('param').tenant, c.req.valid('query'));
  return c.json(pageJson(page, customerJson), 200);
};

export const listCustomerWorkAddresses: AppRouteHandler<ListCustomerWorkAddressesRoute> = async (c) => {
  const { tenant, customerId } = c.req.valid('param');
  const { database } = c.get('deps');
  if (!(await customerExists(database, tenant, customerId))) throw notFound('Customer not found');
  const page = await queryWorkAddresses(database, tenant, { ...c.req.valid('query'), customerId });
  return c.json(pageJson(page, workAddressJson), 200);
};

export const addWorkAddress: AppRouteHandler<AddWorkAddressRoute> = async (c) => {
  const { tenant, customerId } = c.req.valid('param');
  const created = await insertWorkAddress(c.get('deps').database, tenant, { ...c.req.valid('json'), customerId });
  if (!created) throw notFound('Customer not found');
  return c.json(workAddressJson(created), 201);
};

export const listWorkAddresses: AppRouteHandler<ListWorkAddressesRoute> = async (c) => {
  const page = await queryWorkAddresses(c.get('deps').database, c.req.valid('param').tenant, c.req.valid('query'));
  return c.json(pageJson(page, workAddressJson), 200);
};

export const listArticles: AppRouteHandler<ListArticlesRoute> = async (c) => {
  const page = await queryArticles(c.get('deps').database, c.req.valid('param').tenant, c.req.valid('query'));
  return c.json(pageJson(page, articleJson), 200);
};

export const listArticleGroups: AppRouteHandler<ListArticleGroupsRoute> = async (c) => {
  const page = await queryArticleGroups(c.get('deps').database, c.req.valid('param').tenant, c.req.valid('query'));
  return c.json(pageJson(page, articleGroupJson), 200);
};

export const listWorkOrders: AppRouteHandler<ListWorkOrdersRoute> = async (c) => {
  const page = await queryWorkOrders(c.get('deps').database, c.req.valid('param').tenant, c.req.valid('query'));
  return c.json(pageJson(page, workOrderJson), 200);
};
