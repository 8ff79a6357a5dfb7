import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  answerControl,
  applyLatency,
  bump,
  countRequest,
  createFaults,
  holdLateCommit,
  listen,
  readText,
  retryAfterHeaders,
  send,
  shouldTimeoutAfterCommit,
  statusText,
  takeFirst,
} from '../kit.js';
import { adminDocuments } from './admin.js';
import { createOrder, createdAnswer } from './orders.js';
import { createFakeImuisState, type FakeImuisFaults, type FakeImuisState } from './state.js';
import { seedImuis, type ImuisSeedOptions } from './seed.js';
import { selectRecords, tableOfSelection } from './tables.js';
import { buildXml, type XmlOutObject } from './xml.js';

export * from './state.js';
export { DEFAULT_GROUPS, fakeOffer, seedImuis, type ImuisSeedOptions } from './seed.js';
export { KENM_MAX_LENGTH, OMSCHR_MAX_LENGTH, OPM_MAX_LENGTH } from './orders.js';

/**
 * A fake iMuis Online "cloudswitch" over real HTTP on 127.0.0.1, for tests and the demo. It speaks the form-POST
 * transport (docs/providers/imuis.md §2): `POST ws1_api.aspx` with `ACTIE`, the partner key and omgevingscode (field
 * names in any case), `SESSIONID` and an XML payload field (`SELECTIE`, `VERKOOPORDER`); answers are XML with HTTP 200,
 * errors `<ERROR><MESSAGE>`. A session ends after `sessionIdleMs` without a call. Unknown paths are 404.
 * GETSTAMTABELRECORDS is tables.ts, CREATEVERKOOPORDER orders.ts; both refuse what the real service refuses.
 * Faults (latency, HTTP statuses, `ERROR/MESSAGE` and `Result=false` answers, an empty page mid-listing, "timeout
 * after commit", a late commit) through `faults` or `POST /__faults`.
 */

export const API_PATH = '/ws1_api.aspx';

export interface FakeImuis {
  /** Base URL (the connector posts to `ws1_api.aspx` under it). */
  url: string;
  port: number;
  state: FakeImuisState;
  faults: FakeImuisFaults;
  /** Ends every session now (the next call gets "sessie verlopen"). */
  expireSessions(): void;
  stop(): Promise<void>;
}

export function noImuisFaults(): FakeImuisFaults {
  return createFaults();
}

export async function startFakeImuis(
  opts: { port?: number; partnerKeys?: string[]; environmentCodes?: string[]; sessionIdleMs?: number; seed?: ImuisSeedOptions } = {},
): Promise<FakeImuis> {
  const state = createFakeImuisState(opts);
  if (opts.sessionIdleMs !== undefined) state.sessionIdleMs = opts.sessionIdleMs;
  if (opts.seed) seedImuis(state, opts.seed);
  const faults = noImuisFaults();
  const server = await listen((req, res) => handle(req, res, state, faults), opts.port, (res, err) => {
    sendRaw(res, 500, `<html><body>Server Error in '/' Application: ${escapeText(err instanceof Error ? err.message : String(err))}</body></html>`, 'text/html');
  });
  return {
    url: `${server.origin}/`,
    port: server.port,
    state,
    faults,
    expireSessions: () => state.sessions.clear(),
    stop: () => server.stop(),
  };
}

interface Answer {
  body: XmlOutObject;
  /** This request changed state (for timeoutAfterCommit). */
  wrote?: boolean;
}

const errorAnswer = (message: string): Answer => ({ body: { DATASET: { ERROR: { MESSAGE: message } } } });

/** A form field by name, in any case (the PHP clients write `partnerkey`, others `PARTNERKEY`). */
function formField(form: URLSearchParams, name: string): string {
  for (const [k, v] of form) if (k.toUpperCase() === name) return v;
  return '';
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: FakeImuisState, faults: FakeImuisFaults) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readText(req);

  if (answerControl(res, url.pathname, method, raw, { faults, noFaults: noImuisFaults, summary: () => summary(state), documents: (op) => adminDocuments(state, op) })) return;
  if (url.pathname.toLowerCase() !== API_PATH) return sendRaw(res, 404, '<html><body>The resource cannot be found.</body></html>', 'text/html');
  if (method !== 'POST') return sendRaw(res, 405, '<html><body>Method not allowed</body></html>', 'text/html');

  const form = new URLSearchParams(raw);
  const action = formField(form, 'ACTIE').trim().toUpperCase();
  countRequest(state, action);
  const table = action === 'GETSTAMTABELRECORDS' ? tableOfSelection(formField(form, 'SELECTIE')) : null;
  if (table) bump(state.requests, `${action} ${table}`);

  await applyLatency(faults);
  // The provider that keeps working after the client gave up: held before the write happens.
  await holdLateCommit(faults, 'POST', action);

  const fault = takeFirst(
    faults.failNext,
    (f) => (f.action ? f.action.toUpperCase() === action : action !== 'LOGIN') && (!f.table || f.table.toUpperCase() === table),
  );
  if (fault && !fault.emptyPage) {
    if (fault.status !== undefined) return sendRaw(res, fault.status, `<html><body>${fault.status} ${statusText(fault.status)}</body></html>`, 'text/html', retryAfterHeaders(fault));
    if (fault.answerXml !== undefined) return sendRaw(res, 200, fault.answerXml, 'text/xml');
    if (fault.foutmelding !== undefined) return sendAnswer(res, { body: { DATASET: { RESULT: 'false', FOUTMELDING: fault.foutmelding } } });
    return sendAnswer(res, errorAnswer(fault.errorMessage ?? 'Onbekende fout'));
  }

  const answer = route(action, form, state, fault?.emptyPage === true);
  if (shouldTimeoutAfterCommit(faults, answer.wrote, 'POST', action)) return sendRaw(res, 504, '<html><body>504 Gateway Time-out</body></html>', 'text/html');
  return sendAnswer(res, answer);
}

function route(action: string, form: URLSearchParams, state: FakeImuisState, emptyPage: boolean): Answer {
  const partnerKey = formField(form, 'PARTNERKEY');
  const environmentCode = formField(form, 'OMGEVINGSCODE');
  if (!action) return errorAnswer('Geen ACTIE opgegeven');
  if (action === 'LOGIN') return login(partnerKey, environmentCode, state);

  const sessionId = formField(form, 'SESSIONID');
  const session = state.sessions.get(sessionId);
  const now = Date.now();
  if (!session || now - session.lastUsed > state.sessionIdleMs || session.partnerKey !== partnerKey || session.environmentCode !== environmentCode) {
    if (session) state.sessions.delete(sessionId);
    state.sessionRefusals++;
    return errorAnswer('Sessie is verlopen of ongeldig, log opnieuw in');
  }
  // Every call the session makes counts as activity: iMuis ends sessions by idleness, not by age.
  session.lastUsed = now;

  switch (action) {
    case 'KEEPSESSION':
      return { body: { DATASET: { RESULT: 'true' } } };
    case 'LOGOUT':
      state.sessions.delete(sessionId);
      return { body: { DATASET: { RESULT: 'true' } } };
    case 'GETSTAMTABELRECORDS': {
      const result = selectRecords(formField(form, 'SELECTIE') || null, state);
      if (result.error) return errorAnswer(result.error);
      const metadata = { RECORDCOUNT: result.recordCount, TOTALPAGES: result.totalPages };
      return { body: { DATASET: { METADATA: metadata, ...(emptyPage ? {} : { DATA: result.rows }) } } };
    }
    case 'CREATEVERKOOPORDER': {
      const { order, error } = createOrder(formField(form, 'VERKOOPORDER') || null, state);
      return order ? { body: createdAnswer(order, state), wrote: true } : errorAnswer(error ?? 'Onbekende fout');
    }
    default:
      return errorAnswer(`Onbekende actie '${action}'`);
  }
}

function login(partnerKey: string, environmentCode: string, state: FakeImuisState): Answer {
  state.logins++;
  if (!state.partnerKeys.includes(partnerKey)) return errorAnswer('Partnerkey is onjuist of niet geactiveerd');
  if (!state.environmentCodes.includes(environmentCode)) {
    return errorAnswer('Omgevingscode is onbekend of de app Simon is niet geactiveerd in deze omgeving');
  }
  // Shaped like the documented example `65914/205@;0`, so the connector must URL-encode it.
  const sessionId = `${randomBytes(3).readUIntBE(0, 3)}/${randomBytes(2).readUInt16BE(0)}@${randomBytes(6).toString('hex')};CSW`;
  state.sessions.set(sessionId, { partnerKey, environmentCode, lastUsed: Date.now() });
  return { body: { DATASET: { SESSION: { SESSIONID: sessionId } } } };
}

function summary(state: FakeImuisState) {
  return {
    requestCount: state.requestCount,
    requests: state.requests,
    logins: state.logins,
    sessionRefusals: state.sessionRefusals,
    sessions: state.sessions.size,
    debtors: state.debtors.length,
    articles: state.articles.length,
    articleGroups: state.articleGroups.length,
    orders: state.orders.length,
    offers: state.offers.length,
  };
}

function sendAnswer(res: http.ServerResponse, answer: Answer): void {
  sendRaw(res, 200, buildXml(answer.body), 'text/xml');
}

function sendRaw(res: http.ServerResponse, status: number, payload: string, type: 'text/xml' | 'text/html', headers: Record<string, string> = {}): void {
  send(res, status, payload, headers, type);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
