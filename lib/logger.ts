import { Context } from '@temporalio/activity';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import { Runtime, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { pino, type DestinationStream, type Logger } from 'pino';
import { envSchema, type Env } from './env.js';

export type { Logger } from 'pino';

/**
 * Fields that hold secrets, wherever they show up in a log object (top level or one level down, e.g.
 * `{ body: { apiKey } }`). Redaction is by key: a secret inside a free-text message is not caught, so
 * no code puts one there.
 */
export const redactPaths = [
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'apiKey',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'credentials',
  'sealed',
  'pendingSealed',
  '*.authorization',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.credentials',
  '*.sealed',
  '*.pendingSealed',
  // The SDK logs its whole Worker options at debug level ("Creating worker"), payload codec keys included.
  'options.dataConverter',
  'options.loadedDataConverter',
];

export const redactedValue = '[redacted]';

/**
 * The one logger factory of the product: JSON lines on stdout (or `destination`), level from LOG_LEVEL,
 * ISO timestamps, level names instead of numbers, secrets redacted by key. `bindings` go on every line
 * (e.g. `{ service: 'worker' }`).
 */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level: env.LOG_LEVEL,
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: redactPaths, censor: redactedValue },
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Properties of database errors that hold the statement's values: customer names, addresses, amounts. */
const VALUE_PROPERTIES = ['parameters', 'params', 'args', 'values'];

/**
 * pino's error serializer, without the values of a failed statement: postgres.js errors carry `parameters`, and
 * drizzle's message appends "params: …". The statement itself stays (it says what failed, not about whom).
 */
export function serializeError(err: unknown): Record<string, unknown> {
  const out = pino.stdSerializers.errWithCause(err as Error) as unknown as Record<string, unknown>;
  const scrub = (o: Record<string, unknown>, depth: number) => {
    for (const key of VALUE_PROPERTIES) delete o[key];
    // Postgres quotes the offending value in data (22…) and integrity (23…) errors, and puts the key in `detail`.
    if (typeof o.code === 'string' && o.severity !== undefined) {
      delete o.detail;
      if (/^2[23]/.test(o.code)) {
        for (const key of ['message', 'stack']) if (typeof o[key] === 'string') o[key] = (o[key]).replace(/"[^"\n]*"/g, '"[redacted]"');
      }
    }
    for (const key of ['message', 'stack']) {
      if (typeof o[key] === 'string') o[key] = (o[key]).replace(/\n?params: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]');
    }
    if (depth < 4 && o.cause && typeof o.cause === 'object') scrub(o.cause as Record<string, unknown>, depth + 1);
  };
  scrub(out, 0);
  return out;
}

/**
 * Our workflow ids are `<kind>/<tenant>[/…]` (workflows/meta.ts), and a schedule appends `-<start time>` to its
 * runs' ids. Tenant ids have no `/` (api/activation). Used for workflow lines, and for activity lines until the
 * activity's input names the tenant.
 */
const workflowIdTenant = /^(?:activation|settings|sync|export|quotes|cleanup)\/([^/]+?)(?:-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?(?:\/|$)/;

export function tenantOfWorkflowId(workflowId: string | undefined): string | undefined {
  return workflowIdTenant.exec(workflowId ?? '')?.[1];
}

const pinoLevels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<TemporalLogLevel, string>;

/**
 * The Temporal SDK's Logger interface on top of pino. The SDK names the run id `workflowRunId` on activity
 * lines and `runId` on workflow lines; both come out as `runId`, and `sdkComponent` as `component`.
 * Lines about a workflow get its `tenant` from the workflow id.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const emit = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    // A task token lets whoever holds it complete the activity: it stays out of the logs.
    const { sdkComponent, workflowRunId, taskToken: _taskToken, ...rest } = (meta ?? {}) as Record<string, unknown>;
    const fields: Record<string, unknown> = { ...rest };
    if (sdkComponent !== undefined) fields.component = sdkComponent;
    if (workflowRunId !== undefined && fields.runId === undefined) fields.runId = workflowRunId;
    if (fields.tenant === undefined && typeof fields.workflowId === 'string') {
      const tenant = tenantOfWorkflowId(fields.workflowId);
      if (tenant) fields.tenant = tenant;
    }
    logger[pinoLevels[level]](fields, message);
  };
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}

/** Core (Rust) log level for a LOG_LEVEL: Core's own info and debug output is chatty, so it stays one step quieter. */
function coreLevel(level: Env['LOG_LEVEL']): TemporalLogLevel {
  switch (level) {
    case 'trace':
      return 'DEBUG';
    case 'debug':
      return 'INFO';
    case 'info':
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

let installed: Logger | undefined;

/**
 * Routes everything the Temporal worker side logs (SDK worker, activity context loggers, workflow loggers,
 * and Core's native logs) into `logger`, and with WORKER_METRICS_ADDRESS serves the SDK's Prometheus metrics.
 * Call once per process, before the first NativeConnection or Worker.
 */
export function installTemporalLogging(logger: Logger, env: Pick<Env, 'LOG_LEVEL'> & Partial<Pick<Env, 'WORKER_METRICS_ADDRESS'>>): void {
  Runtime.install({
    logger: temporalLogger(logger),
    // The entry points own SIGTERM/SIGINT (grace time, closing the database); the SDK's own handlers would race them.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { forward: {}, filter: { core: coreLevel(env.LOG_LEVEL), other: 'ERROR' } },
      // The SDK's own metrics (activity failures, task latencies, slots) on GET /metrics at this address (docs/metrics.md).
      ...(env.WORKER_METRICS_ADDRESS ? { metrics: { prometheus: { bindAddress: env.WORKER_METRICS_ADDRESS, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
    },
  });
  installed = logger;
}

/** The tenant each running activity works for, set from its input by `activityLogInterceptor`. */
const activityTenants = new WeakMap<object, string>();

function tenantOfArgs(args: readonly unknown[]): string | undefined {
  const first = args[0];
  if (first && typeof first === 'object' && 'tenantId' in first && typeof first.tenantId === 'string') return first.tenantId;
  return undefined;
}

function tenantOf(ctx: Context): string | undefined {
  return activityTenants.get(ctx) ?? tenantOfWorkflowId(ctx.info.workflowExecution?.workflowId);
}

/**
 * Worker interceptor: every log line of an activity (the SDK's own "Activity started/completed/failed" and
 * `Context.current().log`) carries `tenant` next to the SDK's workflowId and run id. Our activities all
 * take `{ tenantId, … }` as their input.
 */
export const activityLogInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const tenant = tenantOfArgs(input.args);
      if (tenant) activityTenants.set(ctx, tenant);
      return next(input);
    },
  },
  outbound: {
    getLogAttributes(attrs, next) {
      const tenant = tenantOf(ctx);
      return next(tenant ? { ...attrs, tenant } : attrs);
    },
  },
});

let fallback: Logger | undefined;

function baseLogger(): Logger {
  if (installed) return installed;
  fallback ??= createLogger({ LOG_LEVEL: envSchema.shape.LOG_LEVEL.catch('info').parse(process.env.LOG_LEVEL) });
  return fallback;
}

/**
 * A pino child logger for activity code: inside an activity it carries tenant, workflowId, runId, activity type
 * and attempt; outside one (a unit test, a script) it is the base logger with `bindings`.
 */
export function activityLogger(bindings: Record<string, unknown> = {}): Logger {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined;
  }
  if (!ctx) return baseLogger().child(bindings);
  const info = ctx.info;
  const tenant = tenantOf(ctx);
  return baseLogger().child({
    component: 'activity',
    ...(tenant ? { tenant } : {}),
    workflowId: info.workflowExecution?.workflowId,
    runId: info.workflowExecution?.runId,
    activityType: info.activityType,
    attempt: info.attempt,
    ...bindings,
  });
}
