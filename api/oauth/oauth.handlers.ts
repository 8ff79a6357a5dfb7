import type { Context } from 'hono';
import type { AppBindings, AppRouteHandler } from '../types.js';
import type * as routes from './oauth.routes.js';
import { HttpError, conflict, notFound } from '../errors.js';
import { runStep, temporalOf } from '../temporal.js';
import { getIntegration, storePendingCredentials, type IntegrationRow } from '../../db/queries/integration.js';
import { consumeOAuthState, createOAuthState } from '../../db/queries/oauth.js';
import { CredentialSealer } from '../../lib/crypto.js';
import type { Env } from '../../lib/env.js';
import { apiTexts, oauthCallbackTexts } from '../../lib/messages.js';
import { OAUTH_STATE_TTL_MS, authorizeUrl, newOAuthState, oauthConfig, pkcePair } from '../../lib/oauth.js';
import type { ProviderId } from '../../lib/providers.js';
import { runMeta, workflowIds } from '../../lib/runs.js';
import { connectWorkflow } from '../../workflows/index.js';

/**
 * The OAuth2 code flow in the API (docs/api.md): the authorize URL with a state bound to the tenant, and the callback
 * the browser comes back to. The API never talks to the provider: the callback stores the code sealed as pending
 * credentials and runs the ordinary connect step, whose activity exchanges it for tokens (activities/oauth.ts).
 */

export function redirectUriFor(env: Env, provider: ProviderId): string {
  return `${env.OAUTH_REDIRECT_BASE_URL.replace(/\/+$/, '')}/v1/oauth/${provider}/callback`;
}

/** Waiting for a connection: after the wipe of an activation, or paused (connect again after a withdrawn authorisation). */
function awaitsConnection(row: IntegrationRow): boolean {
  return (row.status === 'activating' && row.steps.wiped) || row.status === 'paused';
}

export const oauthUrl: AppRouteHandler<typeof routes.oauthUrl> = async (c) => {
  const { tenant } = c.req.valid('param');
  const { database, env } = c.get('deps');
  const row = await getIntegration(database, tenant);
  if (!row) throw notFound('Tenant not found');
  const provider = row.provider;
  const config = oauthConfig(env, provider);
  if (!config) throw conflict(apiTexts.activation.connectsWithCredentials(provider), 'oauth_not_supported');
  if (!awaitsConnection(row)) {
    throw conflict(row.status === 'activating' ? apiTexts.activation.wipeFirst : apiTexts.activation.cannotConnect(row.status));
  }
  const state = newOAuthState();
  const pkce = config.pkce ? await pkcePair() : null;
  const redirectUri = redirectUriFor(env, provider);
  const expiresAt = new Date(Date.now() + OAUTH_STATE_TTL_MS);
  await createOAuthState(database, { state, tenantId: tenant, provider, redirectUri, codeVerifier: pkce?.verifier ?? null, expiresAt });
  return c.json({ url: authorizeUrl(config, state, redirectUri, pkce?.challenge), expiresAt: expiresAt.toISOString() }, 200);
};

type Status = 200 | 400 | 409 | 503;

/** JSON for programs, a small Dutch page for the admin's browser. */
function answer(c: Context<AppBindings>, status: Status, json: Record<string, unknown>, title: string, text: string) {
  if ((c.req.header('accept') ?? '').includes('text/html')) {
    const page = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family: sans-serif; margin: 3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
    return c.html(page, status);
  }
  return c.json(json, status);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export const callback: AppRouteHandler<typeof routes.callback> = async (c) => {
  const { provider } = c.req.valid('param');
  const query = c.req.valid('query');
  const { database, env } = c.get('deps');
  const failed = (status: Status, error: string, reason: string, extra: Record<string, unknown> = {}) => {
    const message = oauthCallbackTexts.failed(provider, reason);
    return answer(c, status, { error, message, ...extra }, apiTexts.activation.oauthPageTitle(provider, false), message);
  };

  if (!query.state) return failed(400, 'invalid_state', oauthCallbackTexts.unknownState(), { reason: 'missing' });
  // Consumed first, whatever the provider answered: a state works once.
  const consumed = await consumeOAuthState(database, query.state, provider);
  if (!consumed.ok) {
    const reason = { unknown: oauthCallbackTexts.unknownState(), expired: oauthCallbackTexts.expiredState(), used: oauthCallbackTexts.usedState(), 'other-provider': oauthCallbackTexts.otherProvider() }[consumed.reason];
    return failed(400, 'invalid_state', reason, { reason: consumed.reason });
  }
  const { tenantId, redirectUri, codeVerifier } = consumed.row;
  if (query.error) return failed(400, 'authorization_denied', oauthCallbackTexts.denied(provider), { reason: query.error });
  if (!query.code) return failed(400, 'missing_code', oauthCallbackTexts.missingCode(provider));

  const row = await getIntegration(database, tenantId);
  if (!row || row.provider !== provider || !awaitsConnection(row)) return failed(409, 'conflict', oauthCallbackTexts.wrongState());

  // Sealed here, exchanged by the worker: neither the code nor the tokens travel through Temporal.
  const pending = { code: query.code, redirectUri, ...(codeVerifier ? { codeVerifier } : {}) };
  await storePendingCredentials(database, tenantId, provider, new CredentialSealer(env.CREDENTIALS_KEY).seal(pending), null);
  const t = temporalOf(c);
  let result;
  try {
    result = await runStep(() =>
      t.client.workflow.execute(connectWorkflow, {
        workflowId: workflowIds.connect(tenantId),
        args: [{ tenantId }],
        taskQueue: t.taskQueue,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowExecutionTimeout: '5 minutes',
        ...runMeta({ tenantId, provider, kind: 'connect', detail: 'OAuth' }),
      }),
    );
  } catch (err) {
    if (err instanceof HttpError) return failed(err.status === 409 ? 409 : 503, err.code, err.message);
    throw err;
  }
  if (!result.ok) return failed(400, 'connect_failed', result.message || oauthCallbackTexts.rejected(provider));
  const after = (await getIntegration(database, tenantId))!;
  const message = oauthCallbackTexts.connected(provider, result.label);
  return answer(c, 200, { connected: true, tenant: tenantId, provider, label: result.label, steps: after.steps, message }, apiTexts.activation.oauthPageTitle(provider, true), message);
};
