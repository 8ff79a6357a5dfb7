import type { ProviderId } from '../../lib/providers.js';
import { and, eq, lt, sql as dsql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { oauthStates } from '../schema.js';
import { emitEvent } from './events.js';

/** The OAuth2 code flow's state (integration.oauth_states) and the token bookkeeping around it (lib/oauth.ts). */

export type OAuthStateRow = typeof oauthStates.$inferSelect;

export async function createOAuthState(
  database: Database,
  row: { state: string; tenantId: string; provider: ProviderId; redirectUri: string; codeVerifier: string | null; expiresAt: Date },
): Promise<void> {
  // States nobody came back with pile up otherwise; a day is long past any use.
  await database.db.delete(oauthStates).where(and(eq(oauthStates.tenantId, row.tenantId), lt(oauthStates.expiresAt, new Date(Date.now() - 86_400_000))));
  await database.db.insert(oauthStates).values(row);
}

export type ConsumeStateResult =
  | { ok: true; row: OAuthStateRow }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'other-provider' };

/** Marks the state used, atomically: a state works once, within its lifetime, for the provider it was made for. */
export async function consumeOAuthState(database: Database, state: string, provider: ProviderId): Promise<ConsumeStateResult> {
  const rows = await database.db
    .update(oauthStates)
    .set({ usedAt: new Date() })
    .where(and(eq(oauthStates.state, state), eq(oauthStates.provider, provider), dsql`${oauthStates.usedAt} is null`, dsql`${oauthStates.expiresAt} > now()`))
    .returning();
  if (rows[0]) return { ok: true, row: rows[0] };
  const [found] = await database.db.select().from(oauthStates).where(eq(oauthStates.state, state)).limit(1);
  if (!found) return { ok: false, reason: 'unknown' };
  if (found.provider !== provider) return { ok: false, reason: 'other-provider' };
  if (found.usedAt) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}

/**
 * Runs `update` holding a per-tenant lock on the credentials (across workers) with the sealed credentials as
 * they are at that moment, and stores the sealed value it returns. Two runs whose access token lapsed together
 * refresh once: the second sees the first one's tokens and uses them (refresh tokens rotate).
 */
export async function updateCredentialsLocked<T>(
  database: Database,
  tenantId: string,
  update: (sealed: string | null) => Promise<{ sealed: string | null; result: T }>,
): Promise<T> {
  const out = await database.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`credentials:${tenantId}`}))`;
    const rows = await tx<{ sealed: string | null }[]>`select sealed from integration.credentials where tenant_id = ${tenantId}`;
    const next = await update(rows[0]?.sealed ?? null);
    if (next.sealed !== null) await tx`update integration.credentials set sealed = ${next.sealed}, updated_at = now() where tenant_id = ${tenantId}`;
    return { result: next.result };
  });
  return (out).result;
}

/** Pending credentials replaced in place (a code exchanged for tokens before they are verified). */
export async function replacePendingCredentials(database: Database, tenantId: string, sealed: string): Promise<void> {
  await database.sql`update integration.credentials set pending_sealed = ${sealed}, updated_at = now() where tenant_id = ${tenantId}`;
}

/**
 * Active → paused; false when it was not active (already paused, or mid-activation), so only one caller reports it.
 * The pause is reported as `integration.status_changed` (reason `token_revoked`) in the same statement (docs/events.md).
 */
export async function pauseIfActive(database: Database, tenantId: string, message: string | null = null): Promise<boolean> {
  return database.sql.begin(async (tx) => {
    const rows = await tx<{ provider: ProviderId }[]>`
      update integration.integrations set status = 'paused', updated_at = now()
      where tenant_id = ${tenantId} and status = 'active' returning provider`;
    if (!rows[0]) return false;
    await emitEvent(tx, { tenantId, type: 'integration.status_changed', data: { provider: rows[0].provider, from: 'active', to: 'paused', reason: 'token_revoked', message } });
    return true;
  });
}
