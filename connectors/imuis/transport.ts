import { createHash } from 'node:crypto';
import { ProviderError, describeProviderError, type ProviderErrorKind } from '../../lib/errors.js';
import { connectorTexts, imuisTexts as texts, providerErrorTexts, providerName } from '../../lib/messages.js';
import { TokenCache, providerFailure, providerHttp, unexpectedAnswer, withRenewal } from '../kit.js';
import type { ImuisCredentials } from '../../lib/credentials.js';
import type { CredentialsReader } from '../credentials.js';
import type { ConnectorContext } from '../types.js';
import { findOutsideRows, imuisError, isSessionError, isTransientError, textOf } from './protocol.js';
import { parseXml, type XmlValue } from './xml.js';

/**
 * The cloudswitch's form-POST transport and its sessions (docs/providers/imuis.md §2): `POST ws1_api.aspx` with
 * `ACTIE`, the integrator's partner key, the tenant's omgevingscode, a `SESSIONID` and one XML payload field; every
 * answer is XML with HTTP 200, errors included.
 *
 * iMuis ends a session after 30 minutes without a call, or sooner when the accountant set a shorter limit. One session
 * is cached per tenant and worker process; one idle for 20 minutes is replaced before the next call, and a call that
 * iMuis refuses because the session ended is repeated once with a new one.
 */

export const IMUIS = providerName('imuis');
export const API_PATH = 'ws1_api.aspx';
/** A session idle this long is replaced before the next call (iMuis ends it after 30, or fewer, idle minutes). */
export const IDLE_RELOGIN_MS = 20 * 60_000;

// Keys are a hash of base URL, partner key and omgevingscode, never the secrets themselves.
const sessions = new TokenCache({ renewMarginMs: 0 });
const lastUse = new Map<string, { id: string; at: number }>();

/** iMuis said the session is over: the call was refused before anything happened, so repeating it is safe. */
class SessionEnded extends ProviderError {}

export interface ImuisTransport {
  /** One call with the cached session. `create`: an answer that is not a clear refusal leaves the outcome unknown. */
  call(action: string, payload: { field: string; xml: string }, operation: string, create?: boolean): Promise<XmlValue>;
  /** A real login now (a cached session proves nothing about newly entered credentials). */
  verify(): Promise<void>;
}

export function imuisFailure(kind: ProviderErrorKind, operation: string, extra: { lead?: string; providerMessage?: string; outcomeUnknown?: boolean } = {}): ProviderError {
  const { lead, ...rest } = extra;
  return providerFailure(IMUIS, kind, lead ?? providerErrorTexts[kind](IMUIS), { operation, ...rest });
}

export function createImuisTransport(ctx: ConnectorContext, opts: { partnerKey: string; credentials: CredentialsReader<ImuisCredentials>; clock: () => Date }): ImuisTransport {
  const { partnerKey, credentials } = opts;
  const now = () => opts.clock().getTime();
  const cacheKey = createHash('sha256').update(`${ctx.baseUrl}\u0000${partnerKey}\u0000${credentials.value?.environmentCode ?? ''}`).digest('hex');
  const http = providerHttp(ctx, { provider: IMUIS, headers: () => ({ accept: 'text/xml, application/xml' }) });

  async function post(form: Record<string, string>, operation: string, create: boolean): Promise<{ root: XmlValue; error: string | null }> {
    const { body } = await http.post(API_PATH, new URLSearchParams(form));
    const text = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
    try {
      const root = parseXml(text).content;
      return { root, error: imuisError(root) };
    } catch {
      // An answer we cannot read may follow a stored order.
      throw imuisFailure('unavailable', operation, {
        lead: connectorTexts.unexpectedAnswer(IMUIS), providerMessage: text.replace(/\s+/g, ' ').trim().slice(0, 200), outcomeUnknown: create,
      });
    }
  }

  async function login(): Promise<{ value: string; expiresAt: number }> {
    const operation = 'ACTIE=LOGIN';
    if (!partnerKey) throw imuisFailure('auth', operation, { lead: texts.missingPartnerKey });
    const { environmentCode } = credentials.get();
    const { root, error } = await post({ ACTIE: 'LOGIN', partnerkey: partnerKey, omgevingscode: environmentCode }, operation, false);
    if (error) throw isTransientError(error) ? imuisFailure('unavailable', operation, { providerMessage: error }) : imuisFailure('auth', operation, { lead: texts.loginRefused, providerMessage: error });
    const id = textOf(findOutsideRows(root, 'SESSIONID')).trim();
    if (!id) throw unexpectedAnswer(IMUIS, operation, '');
    lastUse.set(cacheKey, { id, at: now() });
    // Sessions end by idleness, not age: `session()` replaces an idle one.
    return { value: id, expiresAt: Number.POSITIVE_INFINITY };
  }

  /** The cached session; a new one when it idled too long or `fresh` is asked (one login at a time). */
  async function session(fresh = false): Promise<string> {
    const seen = lastUse.get(cacheKey);
    if (seen && (fresh || now() - seen.at >= IDLE_RELOGIN_MS)) await sessions.invalidate(cacheKey, seen.id);
    return sessions.use(cacheKey, login);
  }

  /** A call iMuis answered counts as use: the session's idle time starts again. */
  function touch(id: string): void {
    if (lastUse.get(cacheKey)?.id === id) lastUse.set(cacheKey, { id, at: now() });
  }

  return {
    call(action, payload, operation, create = false) {
      return withRenewal(
        () => session(),
        (refused) => sessions.invalidate(cacheKey, refused),
        async (id) => {
          const form = { ACTIE: action, SESSIONID: id, partnerkey: partnerKey, omgevingscode: credentials.get().environmentCode, [payload.field]: payload.xml };
          const { root, error } = await post(form, operation, create);
          if (error !== null && isSessionError(error)) {
            throw new SessionEnded({
              kind: 'unavailable', provider: IMUIS, operation, providerMessage: error,
              message: describeProviderError('unavailable', { provider: IMUIS, providerMessage: error }),
            });
          }
          touch(id);
          if (error === null) return root;
          // A refusal stored nothing; a "try later" on a create may have come after the order was stored.
          const transient = isTransientError(error);
          throw imuisFailure(transient ? 'unavailable' : 'validation', operation, { providerMessage: error, outcomeUnknown: create && transient });
        },
        (err) => err instanceof SessionEnded,
      );
    },

    async verify() {
      await session(true);
    },
  };
}
