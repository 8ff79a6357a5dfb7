import type { AppDeps, AppRouteHandler } from '../types.js';
import type { HealthRoute, ReadyRoute } from './health.routes.js';

/** Each dependency gets this long to answer; a readiness probe must not hang on a dead host. */
const checkTimeoutMs = 2_000;

type Check = { ok: true } | { ok: false; error: string };

async function probe(name: string, run: () => Promise<unknown>, log: (err: unknown, name: string) => void): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), checkTimeoutMs);
  });
  const attempt = run().then(
    () => ({ ok: true }) as const,
    (err: unknown) => {
      log(err, name);
      // Only a code or a class of failure leaves the process: /ready is public.
      const code = (err as { code?: unknown }).code;
      return { ok: false, error: typeof code === 'string' ? code : typeof code === 'number' ? `grpc_${code}` : 'unreachable' } as const;
    },
  );
  try {
    const result = await Promise.race([attempt, timeout]);
    if (result === 'timeout') {
      log(new Error(`no answer within ${checkTimeoutMs} ms`), name);
      return { ok: false, error: 'timeout' };
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function temporalCheck(temporal: AppDeps['temporal']): () => Promise<unknown> {
  return async () => {
    if (!temporal) throw Object.assign(new Error('Temporal is not configured for this API'), { code: 'not_configured' });
    const { client } = temporal;
    return client.connection.withDeadline(Date.now() + checkTimeoutMs, () => client.workflowService.getSystemInfo({}));
  };
}

export const health: AppRouteHandler<HealthRoute> = (c) => c.json({ status: 'ok' as const }, 200);

export const ready: AppRouteHandler<ReadyRoute> = async (c) => {
  const { database, temporal } = c.get('deps');
  const logger = c.get('logger');
  const log = (err: unknown, name: string) => logger.warn({ err, check: name }, 'readiness check failed');
  const [db, tmp] = await Promise.all([
    probe('database', () => database.sql`select 1`, log),
    probe('temporal', temporalCheck(temporal), log),
  ]);
  const body = { status: db.ok && tmp.ok ? ('ready' as const) : ('not_ready' as const), checks: { database: db, temporal: tmp } };
  return body.status === 'ready' ? c.json(body, 200) : c.json(body, 503);
};
