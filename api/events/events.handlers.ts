import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { AppBindings, AppRouteHandler } from '../types.js';
import type * as routes from './events.routes.js';
import { conflict, forbidden, notFound, orNotFound } from '../errors.js';
import { temporalRunUrl } from '../temporal.js';
import { kickEvents } from './kick.js';
import {
  createEndpoint as insertEndpoint, deleteEndpoint as removeEndpoint, getEndpoint, getEvent as readEvent, listEndpoints as readEndpoints,
  listEvents as readEvents, redeliverEvent, rotateSecret as storeRotatedSecret, updateEndpoint as storeEndpoint, type EndpointRow, type EventRow,
} from '../../db/queries/events.js';
import { eventEnvelope } from '../../lib/events.js';
import { apiTexts } from '../../lib/messages.js';
import { CredentialSealer } from '../../lib/crypto.js';

/** `scope` in the table: a tenant id, or `*` for the endpoint of the whole backend. */
const GLOBAL = '*';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const sealerOf = (c: Context<AppBindings>) => new CredentialSealer(c.get('deps').env.CREDENTIALS_KEY);

function presentEndpoint(row: EndpointRow) {
  return {
    id: row.id, tenantId: row.scope === GLOBAL ? null : row.scope, url: row.url, description: row.description, enabled: row.enabled,
    createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
    secrets: row.secrets.map((s) => ({ id: s.id, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt?.toISOString() ?? null })),
  };
}

function presentEvent(c: Context<AppBindings>, row: EventRow) {
  const t = c.get('deps').temporal;
  return {
    id: row.id, type: row.type, seq: row.seq, createdAt: row.createdAt.toISOString(),
    message: eventEnvelope(row) as unknown as { [key: string]: string },
    deliveries: row.deliveries.map((d) => ({
      endpointId: d.endpointId, status: d.status, attempts: d.attempts, lastStatusCode: d.lastStatusCode, lastError: d.lastError,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      log: d.log.map((a) => ({
        attempt: a.attempt, at: a.at.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, error: a.error, workflowId: a.workflowId, runId: a.runId,
        temporalUrl: a.workflowId && t ? temporalRunUrl(t.uiUrl, t.namespace, a.workflowId, a.runId) : null,
      })),
    })),
  };
}

/** A tenant-scoped token manages its own tenant's endpoint only; the backend's endpoint needs an unscoped token. */
function assertScope(c: Context<AppBindings>, scope: string): void {
  const own = c.get('auth').tenant;
  if (own !== undefined && own !== scope) throw forbidden('Token is not valid for this endpoint');
}

async function endpointInScope(c: Context<AppBindings>, id: string): Promise<EndpointRow> {
  const row = await getEndpoint(c.get('deps').database, id);
  const own = c.get('auth').tenant;
  // A scoped token learns nothing of other endpoints, not even that they exist.
  if (!row || (own !== undefined && own !== row.scope)) throw notFound(apiTexts.webhooks.noEndpoint);
  return row;
}

export const createEndpoint: AppRouteHandler<typeof routes.createEndpoint> = async (c) => {
  const body = c.req.valid('json');
  const scope = body.tenantId ?? GLOBAL;
  assertScope(c, scope);
  const secret = newSecret();
  const row = await insertEndpoint(c.get('deps').database, { scope, url: body.url, description: body.description ?? null, sealedSecret: sealerOf(c).seal(secret) });
  if (!row) throw conflict(scope === GLOBAL ? apiTexts.webhooks.backendEndpointExists : apiTexts.webhooks.tenantEndpointExists(scope), 'endpoint_exists');
  return c.json({ ...presentEndpoint(row), secret }, 201);
};

export const listEndpoints: AppRouteHandler<typeof routes.listEndpoints> = async (c) => {
  const { tenantId } = c.req.valid('query');
  const own = c.get('auth').tenant;
  if (own !== undefined && tenantId !== undefined && tenantId !== own) throw forbidden('Token is not valid for this tenant');
  const scopes = own !== undefined ? [own] : tenantId !== undefined ? [tenantId, GLOBAL] : null;
  const rows = await readEndpoints(c.get('deps').database, scopes);
  return c.json({ endpoints: rows.map(presentEndpoint) }, 200);
};

export const updateEndpoint: AppRouteHandler<typeof routes.updateEndpoint> = async (c) => {
  const { id } = c.req.valid('param');
  await endpointInScope(c, id);
  const row = orNotFound(await storeEndpoint(c.get('deps').database, id, c.req.valid('json')), apiTexts.webhooks.noEndpoint);
  return c.json(presentEndpoint(row), 200);
};

export const deleteEndpoint: AppRouteHandler<typeof routes.deleteEndpoint> = async (c) => {
  const { id } = c.req.valid('param');
  await endpointInScope(c, id);
  if (!(await removeEndpoint(c.get('deps').database, id))) throw notFound(apiTexts.webhooks.noEndpoint);
  return c.body(null, 204);
};

export const rotateSecret: AppRouteHandler<typeof routes.rotateSecret> = async (c) => {
  const { id } = c.req.valid('param');
  const { keepPreviousSeconds } = c.req.valid('json');
  await endpointInScope(c, id);
  const secret = newSecret();
  const expiresAt = new Date(Date.now() + keepPreviousSeconds * 1000);
  const row = orNotFound(await storeRotatedSecret(c.get('deps').database, id, sealerOf(c).seal(secret), expiresAt), apiTexts.webhooks.noEndpoint);
  return c.json({ ...presentEndpoint(row), secret }, 200);
};

export const listEvents: AppRouteHandler<typeof routes.listEvents> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { type, beforeSeq, limit } = c.req.valid('query');
  const rows = await readEvents(c.get('deps').database, tenant, { beforeSeq: beforeSeq ?? null, limit, type: type ?? null });
  const last = rows[rows.length - 1];
  return c.json({ events: rows.map((r) => presentEvent(c, r)), nextBeforeSeq: rows.length === limit && last && last.seq > 1 ? last.seq : null }, 200);
};

export const getEvent: AppRouteHandler<typeof routes.getEvent> = async (c) => {
  const { tenant, eventId } = c.req.valid('param');
  return c.json(presentEvent(c, orNotFound(await readEvent(c.get('deps').database, tenant, eventId), apiTexts.webhooks.noEvent)), 200);
};

export const redeliver: AppRouteHandler<typeof routes.redeliver> = async (c) => {
  const { tenant, eventId } = c.req.valid('param');
  const result = await redeliverEvent(c.get('deps').database, tenant, eventId);
  if (result.kind === 'not-found') throw notFound(apiTexts.webhooks.noEvent);
  if (result.kind === 'pending') throw conflict(apiTexts.webhooks.deliveryPending, 'delivery_pending');
  if (result.kind === 'no-endpoint') throw conflict(apiTexts.webhooks.noEnabledEndpoint, 'no_endpoint');
  await kickEvents(c, tenant);
  return c.json(presentEvent(c, result.event), 202);
};
