import { isGrpcServiceError } from '@temporalio/client';
import { apiTexts } from '../lib/messages.js';

/**
 * Postgres or Temporal being unreachable is not a bug and not the client's fault: the API answers 503 with
 * `Retry-After` and a machine-readable code, so Simon's backend calls again (every write route is idempotent).
 * docs/api.md, "Errors".
 */
export type InfrastructureCode = 'database_unavailable' | 'temporal_unavailable';

export const RETRY_AFTER_SECONDS = 5;

/** Socket-level failures postgres.js reports in `code`. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** postgres.js's own connection failures. */
const POSTGRES_JS_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
/**
 * SQLSTATEs of a server that is going away or refusing work: class 08 (connection exception), 57P01–57P03
 * (admin/crash shutdown, cannot connect now), 53300 (too many connections), 40001/40P01 are not here (a retry of the
 * same request would be the handler's business).
 */
const SQLSTATE_UNAVAILABLE = /^(08|57P0[123]$|53300$)/;
/** gRPC codes that mean the Temporal frontend did not do the work: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const GRPC_UNAVAILABLE = new Set([14, 4, 8]);

export function infrastructureFailure(err: unknown): InfrastructureCode | null {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e; depth++) {
    if (isGrpcServiceError(e)) return GRPC_UNAVAILABLE.has(e.code) ? 'temporal_unavailable' : null;
    if (e instanceof Error && /^(ServiceError|TransportError)$/.test(e.name) && /unavailable|connect|transport|deadline/i.test(e.message)) return 'temporal_unavailable';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (POSTGRES_JS_CODES.has(code)) return 'database_unavailable';
      if (SQLSTATE_UNAVAILABLE.test(code) && (e as { severity?: unknown }).severity !== undefined) return 'database_unavailable';
      // A refused socket: Postgres when postgres.js says so (its errors carry `address`/`port`), else unknown.
      if (NETWORK_CODES.has(code)) return (e as { port?: unknown }).port !== undefined || /postgres|query/i.test(String((e as Error).stack ?? '')) ? 'database_unavailable' : null;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

export const infrastructureMessages: Record<InfrastructureCode, string> = {
  database_unavailable: apiTexts.unavailable.database,
  temporal_unavailable: apiTexts.unavailable.temporal,
};
