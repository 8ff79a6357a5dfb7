import { octopusTexts as texts } from '../../lib/messages.js';
import { ProviderError } from '../../lib/errors.js';
import { dayWindow } from '../../lib/quota.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import { providerHttp, unexpectedAnswer, withRenewal } from '../kit.js';
import type { OctopusCredentials } from '../../lib/credentials.js';
import type { CredentialsReader } from '../credentials.js';
import type { ConnectorContext } from '../types.js';
import { asText } from '../values.js';
import type { OctopusCaches } from './caches.js';
import { OCTOPUS, octopusErrorMessage, octopusFailure, octopusStatusError, type ErrorContext } from './errors.js';

/**
 * Octopus's two tokens (docs/providers/octopus.md §2): `POST authentication` (header `softwareHouseUuid`, body
 * {user,password}) gives the session token (header `Token`); `POST dossiers?dossierId=` the dossier token (header
 * `dossierToken`) of every dossier call. Both live 10 minutes; they are kept per worker process (caches.ts) and renewed
 * before they run out, or once when Octopus answers 401, so a long import crosses the 10-minute boundary. Every error
 * with a status is put in Octopus's terms once (errors.ts).
 */

export const TOKEN_LIFETIME_MS = 10 * 60_000;
const LOCALE_ID = 1;
type Raw = Record<string, unknown>;

export function octopusSession(opts: { ctx: ConnectorContext; caches: OctopusCaches; scope: string; credentials: CredentialsReader<OctopusCredentials>; softwareHouseUuid: string }) {
  const { ctx, caches, scope, credentials, softwareHouseUuid } = opts;
  const now = caches.now;
  const http = providerHttp(ctx, { provider: OCTOPUS, errorMessage: octopusErrorMessage });


  // ---- tokens, cookies and calls ----

  const cookieHeader = (token: string): Record<string, string> => {
    const cookie = caches.cookies.get(token);
    return cookie ? { cookie } : {};
  };
  /** SOAP needed the session cookies between authentication and dossier calls; REST clients keep them too (§9 U13). */
  function keepCookies(token: string, headers: Headers, inherited: string | null): void {
    const own = (headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).filter(Boolean);
    const all = [inherited, ...own].filter(Boolean).join('; ');
    if (all) caches.cookies.set(token, all);
    if (caches.cookies.size > 2_000) caches.cookies.delete(caches.cookies.keys().next().value as string);
  }

  async function sessionToken(): Promise<string> {
    if (!softwareHouseUuid) throw octopusFailure('auth', texts.noSoftwareHouse);
    const { username: user, password } = credentials.get();
    return caches.tokens.use(scope, async () => {
      const res = await http.post('authentication', { user, password }, { headers: { softwareHouseUuid } }).catch((err: unknown) => {
        throw mapError(err, 'authentication');
      });
      const token = asText((res.body as Raw | null)?.token);
      if (!token) throw unexpectedAnswer(OCTOPUS, 'POST authentication', res.body);
      keepCookies(token, res.headers, null);
      return { value: token, expiresAt: now() + TOKEN_LIFETIME_MS };
    });
  }

  const withSession = <T>(call: (token: string) => Promise<T>): Promise<T> =>
    withRenewal(sessionToken, (t) => caches.tokens.invalidate(scope, t), call).catch((err: unknown) => {
      throw mapError(err, 'session');
    });

  const dossierKey = (dossierId: string) => `${scope}|dossier:${dossierId}`;
  function dossierToken(dossierId: string): Promise<string> {
    return caches.tokens.use(dossierKey(dossierId), async () => {
      let session = '';
      const res = await withSession((token) => {
        session = token;
        return http.post('dossiers', undefined, { query: { dossierId, localeId: LOCALE_ID }, headers: { ...cookieHeader(token), Token: token } });
      });
      const body = (res.body ?? {}) as Raw;
      const value = asText(body.Dossiertoken) ?? asText(body.dossierToken);
      if (!value) throw unexpectedAnswer(OCTOPUS, 'POST dossiers', res.body);
      keepCookies(value, res.headers, caches.cookies.get(session) ?? null);
      return { value, expiresAt: now() + TOKEN_LIFETIME_MS };
    });
  }

  /** A dossier call (header `dossierToken`); a 401 renews the token (or the session behind it) and repeats the call once. */
  function inDossier<T = unknown>(dossierId: string, req: HttpRequest, context: ErrorContext = 'dossier'): Promise<HttpResponse<T>> {
    return withRenewal(
      () => dossierToken(dossierId),
      (t) => caches.tokens.invalidate(dossierKey(dossierId), t),
      (token) => http.request<T>({ ...req, headers: { ...req.headers, ...cookieHeader(token), dossierToken: token } }),
    ).catch((err: unknown) => {
      throw mapError(err, context);
    });
  }

  // ---- errors ----

  const mapped = new WeakSet<ProviderError>();
  function mapError(err: unknown, context: ErrorContext): unknown {
    // Transport faults and the quota guard carry no status; an error mapped once (inner call) stays as it is.
    if (!(err instanceof ProviderError) || err.status === undefined || mapped.has(err)) return err;
    const out = octopusStatusError(err, context, untilMidnight);
    mapped.add(out);
    return out;
  }

  const untilMidnight = () => Math.max(1_000, dayWindow(new Date(now())).end.getTime() - now());


  return { http, cookieHeader, withSession, inDossier };
}
