import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The plumbing the fake provider servers (connectors/<provider>/fake-*.ts) share: fault injection, request
 * counters, body reading, answers, the `/__faults`, `/__state` and `/__documents` control paths, starting and stopping a
 * server on 127.0.0.1, and a seeded PRNG for their demo data. What a provider says (its error bodies, its
 * auth, its routes) stays in its own fake.
 */

// ---- faults ----

/** "Perform and store the write, then answer 504", `count` times, for requests matching method and path. */
export interface CommitTimeout {
  path: string;
  method: string;
  count: number;
}

/** The fault fields every fake has; a fake adds its own next to them. */
export interface BaseFaults<Fault, Timeout = CommitTimeout> {
  /** Added before every API request is handled. */
  latencyMs: number;
  /** Consumed in order: the first entry matching a request answers it instead of the API. */
  failNext: Fault[];
  timeoutAfterCommit: Timeout | null;
  /**
   * The provider that keeps working after the client gave up: the next `count` matching writes are held `holdMs`
   * before they are carried out (committed), whether or not the client still waits (docs/exactly-once.md).
   */
  commitLate: LateCommit | null;
}

export interface LateCommit {
  method: string;
  path: string;
  count: number;
  holdMs: number;
}

export function createFaults<Fault, Timeout = CommitTimeout>(): BaseFaults<Fault, Timeout> {
  return { latencyMs: 0, failNext: [], timeoutAfterCommit: null, commitLate: null };
}

/** Waits before a matching write is carried out, when the `commitLate` fault asks for it (call it before the write). */
export async function holdLateCommit(faults: { commitLate: LateCommit | null }, method: string, path: string): Promise<void> {
  const late = faults.commitLate;
  if (late && spendCount(late, (l) => l.method.toUpperCase() === method && path.includes(l.path))) await sleep(late.holdMs);
}

export async function applyLatency(faults: { latencyMs: number }): Promise<void> {
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
}

/** Removes and returns the first entry that `matches`. */
export function takeFirst<T>(list: T[], matches: (item: T) => boolean): T | undefined {
  const index = list.findIndex(matches);
  return index >= 0 ? list.splice(index, 1)[0] : undefined;
}

/** The first queued fault for this request (method equal, `path` a substring; absent = any), taken off the queue. */
export function takeFault<F extends { method?: string; path?: string }>(faults: { failNext: F[] }, method: string, path: string): F | undefined {
  return takeFirst(faults.failNext, (f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || path.includes(f.path)));
}

export function retryAfterHeaders(fault: { retryAfterSeconds?: number }): Record<string, string> {
  return fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
}

/** Spends one of a counted fault's `count` when it applies; true when it did. */
export function spendCount<C extends { count: number }>(counter: C | null, applies: (c: C) => boolean): boolean {
  if (!counter || counter.count <= 0 || !applies(counter)) return false;
  counter.count--;
  return true;
}

/** After a write matching `timeoutAfterCommit`: true (and one fewer left) when the fake must now answer 504. */
export function shouldTimeoutAfterCommit(faults: { timeoutAfterCommit: CommitTimeout | null }, wrote: boolean | undefined, method: string, path: string): boolean {
  return !!wrote && spendCount(faults.timeoutAfterCommit, (t) => t.method.toUpperCase() === method && path.includes(t.path));
}

// ---- counters ----

export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** One more API request, under `key` (e.g. "POST invoices"). */
export function countRequest(state: { requestCount: number; requests: Record<string, number> }, key: string): void {
  state.requestCount++;
  bump(state.requests, key);
}

// ---- bodies and answers ----

/** What a fake's route answers; `wrote` marks a request that changed state (for timeoutAfterCommit). */
export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  wrote?: boolean;
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readText(req: http.IncomingMessage): Promise<string> {
  return (await readBody(req)).toString('utf8');
}

/** JSON, null for an empty body, or the text itself when it is not JSON (the route then refuses it). */
export function parseJson(raw: string): unknown {
  if (!raw.trim()) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A string goes as text (`textType`), anything else as JSON; nothing when the client has gone or was answered. */
export function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, textType = 'text/plain'): void {
  if (res.destroyed || res.headersSent) return;
  const isText = typeof body === 'string';
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': isText ? `${textType}; charset=utf-8` : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

/** The reason text a fault without a body answers with. */
export function statusText(status: number): string {
  return ({ 429: 'Too many requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out' } as Record<number, string>)[status] ?? `Error ${status}`;
}

// ---- control paths ----

export interface ControlPaths<F extends BaseFaults<unknown, unknown>> {
  faults: F;
  noFaults: () => F;
  /** The fake's own fault fields, set from a patch when present. */
  extraFaults?: readonly (keyof F)[];
  summary: () => unknown;
  /** `POST /__documents`: what a firm does to documents in the package's own screens (docs/reconciliation.md). */
  documents?: (op: DocumentAdminOp) => { status: number; body: unknown };
}

/**
 * A change a firm makes to our documents in the package itself, for the reconciliation tests: delete every document
 * with our reference, copy one (a second document with the reference), give it another number, or create one for a
 * reference (an export that failed while the document was made anyway). The fake's API rules do not apply: this is
 * the package's own screen, not its API.
 */
export type DocumentAdminOp =
  | { op: 'delete'; reference: string }
  | { op: 'duplicate'; reference: string }
  | { op: 'renumber'; reference: string; number: string }
  | { op: 'create'; reference: string; customerExternalId: string; date?: string };

const documentOps = ['delete', 'duplicate', 'renumber', 'create'];

function parseDocumentOp(raw: string): DocumentAdminOp | null {
  const op = parseJson(raw) as Record<string, unknown> | null;
  if (!op || typeof op !== 'object' || !documentOps.includes(String(op.op)) || typeof op.reference !== 'string') return null;
  if (op.op === 'renumber' && typeof op.number !== 'string') return null;
  if (op.op === 'create' && typeof op.customerExternalId !== 'string') return null;
  return op as unknown as DocumentAdminOp;
}

/**
 * `GET /__faults` shows the faults, `POST /__faults` patches them (`reset` first, `failNext` appends);
 * `/__state` shows the summary. True when the request was one of these and is answered.
 */
export function answerControl<F extends BaseFaults<unknown, unknown>>(res: http.ServerResponse, pathname: string, method: string, raw: string, control: ControlPaths<F>): boolean {
  if (pathname === '/__faults') {
    send(res, 200, patchFaults(method, raw, control));
    return true;
  }
  if (pathname === '/__state') {
    send(res, 200, control.summary());
    return true;
  }
  if (pathname === '/__documents' && control.documents) {
    const op = method === 'POST' ? parseDocumentOp(raw) : null;
    if (!op) send(res, 400, { error: 'POST { op: delete|duplicate|renumber|create, reference, number?, customerExternalId?, date? }' });
    else {
      const answer = control.documents(op);
      send(res, answer.status, answer.body);
    }
    return true;
  }
  return false;
}

function patchFaults<F extends BaseFaults<unknown, unknown>>(method: string, raw: string, { faults, noFaults, extraFaults = [] }: ControlPaths<F>): F {
  if (method === 'POST' && raw.trim()) {
    const patch = JSON.parse(raw) as Partial<F> & { reset?: boolean };
    if (patch.reset) Object.assign(faults, noFaults());
    if (typeof patch.latencyMs === 'number') faults.latencyMs = patch.latencyMs;
    if (Array.isArray(patch.failNext)) faults.failNext.push(...(patch.failNext as unknown[]));
    if (patch.timeoutAfterCommit !== undefined) faults.timeoutAfterCommit = patch.timeoutAfterCommit;
    for (const key of extraFaults) if (patch[key] !== undefined) faults[key] = patch[key] as F[typeof key];
  }
  return faults;
}

// ---- servers ----

export interface FakeHttpServer {
  server: http.Server;
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  stop(): Promise<void>;
}

/**
 * Serves `handle` on 127.0.0.1 (`port` 0 or absent: any free one). A handler that throws is answered by
 * `onError`; a client that gave up (timeout tests) is no error.
 */
export async function listen(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  port: number | undefined,
  onError: (res: http.ServerResponse, err: unknown) => void,
): Promise<FakeHttpServer> {
  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch((err: unknown) => onError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    origin: `http://127.0.0.1:${actual}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- deterministic demo data ----

/** mulberry32: tiny, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded generator with the two helpers every seed uses: same seed, same data. */
export function seededRandom(seed: number) {
  const rnd = prng(seed);
  return {
    rnd,
    pick: <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)],
    digits: (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join(''),
  };
}

/** Article sizes the FactuurSturen and Octopus seeds append to a material name. */
export const MATERIAL_SIZES = ['15 mm', '22 mm', '28 mm', '1/2"', '3/4"', '40 mm', '3 m', 'set', 'wit', 'chroom'];

/** The smaller set of towns (name, first two postcode digits) of the Rompslomp and Visma.net seeds. */
export const SMALL_TOWNS: [string, string][] = [['Eindhoven', '56'], ['Utrecht', '35'], ['Zwolle', '80'], ['Breda', '48'], ['Arnhem', '68'], ['Haarlem', '20']];

/** A JSON value as the text a real service would read it as: strings, numbers and booleans as themselves, anything else as JSON. */
export function scalarText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}
