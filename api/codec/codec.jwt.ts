import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Env, Role } from '../../lib/env.js';
import { HttpError, forbidden, unauthorized } from '../errors.js';

/** Who a verified access token belongs to, for the codec's role check and its audit line. */
export interface JwtCaller {
  role: Role;
  /** `oidc:<sub>`: the identity provider's subject, never the token. */
  actor: string;
}

export type JwtVerifier = (token: string) => Promise<JwtCaller>;

/** Clock skew allowed between the identity provider and us on `exp` / `nbf` / `iat`. */
const clockToleranceSeconds = 30;

const verifiers = new WeakMap<Env, JwtVerifier | null>();

/**
 * The verifier of the access tokens the Temporal UI forwards to the codec after an OIDC login
 * (`TEMPORAL_CODEC_PASS_ACCESS_TOKEN`, docs/production-stack.md): signature against the issuer's JWKS (fetched and
 * cached by jose, fetched again for an unknown key id), `iss`, `aud`, `exp`/`nbf`, then the role from the
 * configured claim. One per configuration; undefined when no issuer is configured (API tokens only).
 */
export function codecJwtVerifier(env: Env): JwtVerifier | undefined {
  const known = verifiers.get(env);
  if (known !== undefined) return known ?? undefined;
  const verifier = env.CODEC_JWT_ISSUER && env.CODEC_JWT_JWKS_URL ? createVerifier(env, env.CODEC_JWT_ISSUER, env.CODEC_JWT_JWKS_URL) : null;
  verifiers.set(env, verifier);
  return verifier ?? undefined;
}

function createVerifier(env: Env, issuer: string, jwksUrl: string): JwtVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer, audience: env.CODEC_JWT_AUDIENCE, clockTolerance: clockToleranceSeconds }));
    } catch (err) {
      throw refusal(err);
    }
    const values = claimValues(payload, env.CODEC_JWT_ROLE_CLAIM);
    const role: Role | undefined = values.some((v) => env.CODEC_JWT_ADMIN_VALUES.includes(v))
      ? 'admin'
      : values.some((v) => env.CODEC_JWT_SUPPORT_VALUES.includes(v))
        ? 'support'
        : undefined;
    if (!role) throw forbidden(`Access token has no support or admin role in claim ${env.CODEC_JWT_ROLE_CLAIM}`);
    return { role, actor: `oidc:${subjectLabel(payload.sub)}` };
  };
}

/** jose's verdict as the caller sees it: never the token, at most which claim failed. */
function refusal(err: unknown): HttpError {
  if (err instanceof errors.JWTExpired) return unauthorized('Access token expired');
  if (err instanceof errors.JWTClaimValidationFailed) return unauthorized(`Access token not accepted: claim ${err.claim} ${err.reason === 'missing' ? 'missing' : 'does not match'}`);
  // jose: a timeout, a key set that is not JSON or not a JWKS, an answer other than 200 (ERR_JOSE_GENERIC), or fetch's own failure.
  const keysUnreadable =
    err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') || (err instanceof Error && err.name === 'TypeError');
  if (keysUnreadable) {
    // The identity provider's key set cannot be read: not the caller's fault, and not a reason to let anyone in.
    return new HttpError(503, 'identity_provider_unavailable', 'The identity provider keys (CODEC_JWT_JWKS_URL) cannot be fetched');
  }
  return unauthorized('Access token not valid');
}

/**
 * The role claim's values. A name is first looked up as it is (namespaced claims such as
 * `https://simon.example/roles` hold dots), then as a dotted path (`realm_access.roles`). A string holds
 * space-separated values (like `scope`), a list holds strings.
 */
export function claimValues(payload: JWTPayload, claim: string): string[] {
  let value: unknown = payload[claim];
  if (value === undefined) {
    value = claim.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), payload);
  }
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

const subjectPattern = /^[\p{L}\p{N}._@+:|-]{1,100}$/u;
const subjectLabel = (sub: string | undefined) => (sub && subjectPattern.test(sub) ? sub : 'unknown');
