import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import {
  DEFAULT_ENVIRONMENT_CODE,
  DEFAULT_IMUIS_PARTNER_KEY,
  fakeOffer,
  noImuisFaults,
  seedImuis,
  startFakeImuis,
  type FakeImuis,
} from '../../fakes/imuis/server.js';

/**
 * The fake iMuis refuses what the real cloudswitch refuses (docs/providers/imuis.md, "Deltas"): one test per rule,
 * raw form POSTs over HTTP, no connector code involved.
 */

let fake: FakeImuis;
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, isArray: (name) => ['DATA', 'ORDKOP', 'ORDRG'].includes(name) });
const auth = { partnerkey: DEFAULT_IMUIS_PARTNER_KEY, omgevingscode: DEFAULT_ENVIRONMENT_CODE };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tags = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');

async function post(form: Record<string, string>, target: FakeImuis = fake) {
  const res = await fetch(new URL('ws1_api.aspx', target.url), { method: 'POST', body: new URLSearchParams(form) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

/** The answer's content under its root, and its error text (null when there is none). */
async function answer(form: Record<string, string>, target: FakeImuis = fake) {
  const res = await post(form, target);
  expect(res.status, res.text).toBe(200);
  const tree = parser.parse(res.text) as Record<string, any>;
  const root = Object.values(tree).find((v) => typeof v === 'object') as Record<string, any>;
  return { root, error: (root?.ERROR?.MESSAGE as string | undefined) ?? null };
}

async function login(target: FakeImuis = fake): Promise<string> {
  const { root } = await answer({ ACTIE: 'LOGIN', ...auth }, target);
  return root.SESSION.SESSIONID as string;
}

let sessionId: string;
const call = (action: string, extra: Record<string, string>, target: FakeImuis = fake, sid = sessionId) => answer({ ACTIE: action, SESSIONID: sid, ...auth, ...extra }, target);

/** A GETSTAMTABELRECORDS with these selection tags; `where` as [field, op, value] triples, TAB-joined. */
function select(fields: Record<string, string>, where: [string, string, string][] | null = [['NR', '>=', '0']]) {
  const w: Record<string, string> = where ? { WHEREFIELDS: where.map((c) => c[0]).join('\t'), WHEREOPERATORS: where.map((c) => c[1]).join('\t'), WHEREVALUES: where.map((c) => c[2]).join('\t') } : {};
  return call('GETSTAMTABELRECORDS', { SELECTIE: `<NewDataSet><Table1>${tags({ ...fields, ...w })}</Table1></NewDataSet>` });
}

const head = (over: Record<string, string> = {}) => ({ DEB: '10001', DAT: '23/11/2026', KENM: 'WB 1', ...over });
const line = (over: Record<string, string> = {}) => ({ ART: 'WERKTIJD', AANT: '2', OMSCHR: 'Werktijd', ...over });
function order(h: Record<string, string> | null, lines: Record<string, string>[], extra = '') {
  const xml = `<NewDataSet>${h ? `<ORDKOP>${tags(h)}</ORDKOP>` : ''}${lines.map((l) => `<ORDRG>${tags(l)}</ORDRG>`).join('')}${extra}</NewDataSet>`;
  return call('CREATEVERKOOPORDER', { VERKOOPORDER: xml });
}

beforeAll(async () => {
  fake = await startFakeImuis();
  seedImuis(fake.state, { articles: 30, debtors: 45 });
  fake.state.articles.push({ ...fake.state.articles[3], NR: '0001', ZKSL: 'nul-een', OMSCHR: 'Code met nullen 100% & _x_' });
  sessionId = await login();
});
afterAll(async () => {
  await fake?.stop();
});
beforeEach(() => {
  Object.assign(fake.faults, noImuisFaults());
  fake.state.createAnswer = 'ordnr';
  fake.state.unknownTables = [];
  fake.state.unknownFields = {};
});

describe('transport and sessions', () => {
  it('answers an unknown path with 404 and an unknown ACTIE with an error', async () => {
    expect((await fetch(new URL('api/v1/clients', fake.url))).status).toBe(404);
    expect((await call('GETRECORDS', {})).error).toBe("Onbekende actie 'GETRECORDS'");
  });

  it('refuses a wrong partner key and an unknown omgevingscode at login', async () => {
    expect((await answer({ ACTIE: 'LOGIN', partnerkey: 'x', omgevingscode: DEFAULT_ENVIRONMENT_CODE })).error).toBe('Partnerkey is onjuist of niet geactiveerd');
    expect((await answer({ ACTIE: 'LOGIN', partnerkey: DEFAULT_IMUIS_PARTNER_KEY, omgevingscode: 'X' })).error).toMatch(/Omgevingscode is onbekend/);
  });

  it('takes the partner-key field names in either case', async () => {
    const { root } = await answer({ ACTIE: 'LOGIN', PARTNERKEY: DEFAULT_IMUIS_PARTNER_KEY, OMGEVINGSCODE: DEFAULT_ENVIRONMENT_CODE });
    expect(root.SESSION.SESSIONID).toMatch(/^\d+\/\d+@[0-9a-f]+;CSW$/);
  });

  it('refuses a call with an unknown session', async () => {
    expect((await call('KEEPSESSION', {}, fake, 'bestaat-niet')).error).toMatch(/Sessie is verlopen/);
  });

  it('ends a session after the idle time, and every accepted call starts that time again', async () => {
    const quick = await startFakeImuis({ sessionIdleMs: 300 });
    try {
      const sid = await login(quick);
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 150));
        expect((await call('KEEPSESSION', {}, quick, sid)).error).toBeNull();
      }
      // 600 ms after login, but never 300 ms idle: still alive. Now idle it out.
      await new Promise((r) => setTimeout(r, 450));
      expect((await call('KEEPSESSION', {}, quick, sid)).error).toMatch(/Sessie is verlopen/);
      expect(quick.state.sessionRefusals).toBe(1);
    } finally {
      await quick.stop();
    }
  });

  it('idles a session out after 30 minutes by default', () => {
    expect(fake.state.sessionIdleMs).toBe(30 * 60_000);
  });
});

describe('GETSTAMTABELRECORDS: what it answers', () => {
  it('carries METADATA (RECORDCOUNT of all matches, TOTALPAGES) and one DATA per row of the page', async () => {
    const { root, error } = await select({ TABLE: 'DEB', SELECTFIELDS: 'NR;NAAM', ORDERBY: 'NR', PAGESIZE: '10', SELECTPAGE: '2' });
    expect(error).toBeNull();
    expect(root.METADATA).toEqual({ RECORDCOUNT: '45', TOTALPAGES: '5' });
    expect(root.DATA.map((d: any) => d.NR)).toEqual(Array.from({ length: 10 }, (_, i) => String(10011 + i)));
  });

  it('gives the article price VERKPR (MONEY with a decimal comma), VERKPRINCL, the unit EENHVERK and the numeric group', async () => {
    const { root } = await select({ TABLE: 'ART', SELECTFIELDS: 'NR;VERKPR;VERKPRINCL;EENHVERK;EENHPRS;ARTGRP', ORDERBY: 'NR' }, [['NR', '=', 'WERKTIJD']]);
    expect(root.DATA).toEqual([{ NR: 'WERKTIJD', VERKPR: '62,50', VERKPRINCL: '75,63', EENHVERK: 'uur', EENHPRS: '1', ARTGRP: '1' }]);
  });

  it('keeps article codes as text (leading zeros) and compares text case-insensitively', async () => {
    const { root } = await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['NR', '=', '0001']]);
    expect(root.DATA).toEqual([{ NR: '0001' }]);
    expect((await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['NR', '=', 'werktijd']])).root.DATA).toEqual([{ NR: 'WERKTIJD' }]);
  });

  it('reads LIKE as SQL Server: % and _ are wildcards, [%] and [_] match themselves', async () => {
    const like = async (v: string) => ((await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['OMSCHR', 'LIKE', v]])).root.DATA ?? []).map((d: any) => d.NR);
    expect(await like('%100[%] & [_]x[_]%')).toEqual(['0001']);
    expect(await like('%code met%')).toEqual(['0001']);
    expect((await like('%_%')).length).toBeGreaterThan(1);
  });

  it('takes * and TAB-separated select fields', async () => {
    const all = await select({ TABLE: 'ARTGRP', SELECTFIELDS: '*', ORDERBY: 'NR' });
    expect(Object.keys(all.root.DATA[0]).sort()).toEqual(['BLOK', 'NR', 'OMSCHR', 'ZKSL']);
    expect((await select({ TABLE: 'ARTGRP', SELECTFIELDS: 'NR\tOMSCHR', ORDERBY: 'NR' })).root.DATA[0]).toEqual({ NR: '1', OMSCHR: 'Tijden' });
  });

  it('filters on MUTDATE_VA (dd-mm-jjjj) and ANDs TAB-separated WHERE conditions', async () => {
    const { root } = await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR', MUTDATE_VA: '01-01-2024' }, [['NR', 'LIKE', '10%'], ['BLOK', '=', 'N']]);
    expect(root.METADATA.RECORDCOUNT).toBe(String(fake.state.articles.filter((a) => a.NR.startsWith('10')).length));
    expect((await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR', MUTDATE_VA: '02-01-2099' })).root.METADATA.RECORDCOUNT).toBe('0');
  });

  it('an empty page fault: RECORDCOUNT says more, DATA is missing', async () => {
    fake.faults.failNext.push({ action: 'GETSTAMTABELRECORDS', table: 'DEB', emptyPage: true });
    const { root } = await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'NR', PAGESIZE: '10' });
    expect(root.METADATA.RECORDCOUNT).toBe('45');
    expect(root.DATA).toBeUndefined();
  });

  it('serves the quote tables (OFFKOP, OFFRG linked by OFFNR, price PRS)', async () => {
    fake.state.offers = [fakeOffer(7001, 10002, 'WB cv', { lines: [{ RG: 1, ART: '1003', AANT: 2, OMSCHR: 'Kraan', PRS: 12.5 }] })];
    try {
      const lines = await select({ TABLE: 'OFFRG', SELECTFIELDS: 'OFFNR;RG;ART;AANT;OMSCHR;PRS', ORDERBY: 'RG' }, [['OFFNR', '=', '7001']]);
      expect(lines.root.DATA).toEqual([{ OFFNR: '7001', RG: '1', ART: '1003', AANT: '2', OMSCHR: 'Kraan', PRS: '12,50' }]);
    } finally {
      fake.state.offers = [];
    }
  });
});

describe('GETSTAMTABELRECORDS: what it refuses', () => {
  it.each(['<>', '!=', 'IN', 'NOT LIKE'])('the operator %s (only = > >= < <= LIKE exist)', async (op) => {
    expect((await select({ TABLE: 'ART', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['BLOK', op, 'J']])).error).toBe(`Onbekende operator '${op}'`);
  });

  it('a "," between select fields (the list is ";"- or TAB-separated)', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR,NAAM', ORDERBY: 'NR' })).error).toBe("Veld 'NR,NAAM' bestaat niet in tabel DEB");
  });

  it('an empty SELECTFIELDS', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: '', ORDERBY: 'NR' })).error).toBe('SELECTFIELDS is leeg');
  });

  it('a selection without WHERE', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, null)).error).toBe('Geen selectie (WHEREFIELDS) opgegeven');
  });

  it('an unknown table', async () => {
    expect((await select({ TABLE: 'KLANTEN', SELECTFIELDS: 'NR', ORDERBY: 'NR' })).error).toBe("Tabel 'KLANTEN' bestaat niet");
  });

  it('an unknown field, in SELECTFIELDS, WHERE and ORDERBY', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR;ADR', ORDERBY: 'NR' })).error).toBe("Veld 'ADR' bestaat niet in tabel DEB");
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['PC', '=', '5611']])).error).toBe("Veld 'PC' bestaat niet in tabel DEB");
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'NAME' })).error).toBe("Veld 'NAME' bestaat niet in tabel DEB");
  });

  it('PRIJS on ART (the price is VERKPR)', async () => {
    expect((await select({ TABLE: 'ART', SELECTFIELDS: 'NR;PRIJS', ORDERBY: 'NR' })).error).toBe("Veld 'PRIJS' bestaat niet in tabel ART");
  });

  it('EENH on ART (the unit is EENHVERK)', async () => {
    expect((await select({ TABLE: 'ART', SELECTFIELDS: 'NR;EENH', ORDERBY: 'NR' })).error).toBe("Veld 'EENH' bestaat niet in tabel ART");
  });

  it('MUTDAT anywhere (no table exposes a mutation date; MUTDATE_VA is the filter)', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR;MUTDAT', ORDERBY: 'NR' })).error).toBe("Veld 'MUTDAT' bestaat niet in tabel DEB");
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'MUTDAT' })).error).toBe("Veld 'MUTDAT' bestaat niet in tabel DEB");
  });

  it('ORD and PRIJS on ORDRG (the link is ORDNR, the price PRS)', async () => {
    expect((await select({ TABLE: 'ORDRG', SELECTFIELDS: 'ORDNR;PRS', ORDERBY: 'ORDNR' }, [['ORDNR', '>=', '0']])).error).toBeNull();
    expect((await select({ TABLE: 'ORDRG', SELECTFIELDS: 'ORD', ORDERBY: 'ORDNR' }, [['ORDNR', '>=', '0']])).error).toBe("Veld 'ORD' bestaat niet in tabel ORDRG");
    expect((await select({ TABLE: 'ORDRG', SELECTFIELDS: 'PRIJS', ORDERBY: 'ORDNR' }, [['ORDNR', '>=', '0']])).error).toBe("Veld 'PRIJS' bestaat niet in tabel ORDRG");
  });

  it('a WHERE that mixes number and text fields', async () => {
    expect((await select({ TABLE: 'ORDKOP', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['KENM', '=', 'WB 1'], ['DEB', '=', '10001']])).error).toMatch(/zowel numerieke als tekstvelden/);
  });

  it('a number field compared with text', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', ORDERBY: 'NR' }, [['NR', '>', '']])).error).toBe("Ongeldige waarde '' voor numeriek veld NR");
  });

  it('WHERE lists of different lengths', async () => {
    const sel = `<NewDataSet><Table1>${tags({ TABLE: 'DEB', SELECTFIELDS: 'NR', WHEREFIELDS: 'NR\tBLOK', WHEREOPERATORS: '>', WHEREVALUES: '0\tN' })}</Table1></NewDataSet>`;
    expect((await call('GETSTAMTABELRECORDS', { SELECTIE: sel })).error).toMatch(/niet hetzelfde aantal/);
  });

  it('MUTDATE_VA not as dd-mm-jjjj', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', MUTDATE_VA: '2024-01-01' })).error).toMatch(/Ongeldige datum/);
  });

  it('an unknown selection tag', async () => {
    expect((await select({ TABLE: 'DEB', SELECTFIELDS: 'NR', LIMIT: '10' })).error).toBe("Onbekend element 'LIMIT' in SELECTIE");
  });

  it('a DOCTYPE, and text that is no XML', async () => {
    const doctype = '<!DOCTYPE x [<!ENTITY a "b">]><NewDataSet><Table1><TABLE>DEB</TABLE></Table1></NewDataSet>';
    expect((await call('GETSTAMTABELRECORDS', { SELECTIE: doctype })).error).toMatch(/DOCTYPE/);
    expect((await call('GETSTAMTABELRECORDS', { SELECTIE: '<NewDataSet><Table1>' })).error).toMatch(/geen geldige XML/);
  });

  it('the quote tables where this administration has none, or a field it lacks', async () => {
    fake.state.unknownTables = ['OFFKOP'];
    expect((await select({ TABLE: 'OFFKOP', SELECTFIELDS: 'NR' })).error).toBe("Tabel 'OFFKOP' bestaat niet");
    fake.state.unknownTables = [];
    fake.state.unknownFields = { OFFKOP: ['OMSCHR'] };
    expect((await select({ TABLE: 'OFFKOP', SELECTFIELDS: 'NR;OMSCHR' })).error).toBe("Veld 'OMSCHR' bestaat niet in tabel OFFKOP");
  });
});

describe('CREATEVERKOOPORDER', () => {
  it('stores an open order (PRS per line, lines STATUS O) and answers its ORDNR; GEBRORDBEV is not needed', async () => {
    const before = fake.state.orders.length;
    const { root, error } = await order(head({ OPM: 'Dunantstraat 140' }), [line(), line({ ART: '1003', AANT: '1.2345', PRS: '4.25' })]);
    expect(error).toBeNull();
    const stored = fake.state.orders.at(-1)!;
    expect(fake.state.orders.length).toBe(before + 1);
    expect(root.ORDNR).toBe(String(stored.NR));
    expect(stored).toMatchObject({ DEB: 10001, DAT: '23/11/2026', KENM: 'WB 1', OPM: 'Dunantstraat 140', GEBRORDBEV: '' });
    expect(stored.lines.map((l) => [l.ART, l.AANT, l.PRS, l.STATUS])).toEqual([['WERKTIJD', 2, null, 'O'], ['1003', 1.2345, 4.25, 'O']]);
  });

  it('answers in the other shapes when asked: the echoed dataset without ORDNR, or nothing', async () => {
    fake.state.createAnswer = 'echo';
    const echo = await order(head(), [line()]);
    expect(echo.root.ORDNR).toBeUndefined();
    expect(echo.root.ORDKOP[0].NR).toBe(String(fake.state.orders.at(-1)!.NR));
    expect(echo.root.ORDRG[0].ORDNR).toBe(String(fake.state.orders.at(-1)!.NR));
    fake.state.createAnswer = 'empty';
    const empty = await order(head(), [line()]);
    expect(empty.error).toBeNull();
    expect(empty.root).toEqual({ RESULT: 'true' });
  });

  const refused = async (h: Record<string, string> | null, lines: Record<string, string>[], message: string | RegExp, extra = '') => {
    const before = fake.state.orders.length;
    const { error } = await order(h, lines, extra);
    expect(error).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect(fake.state.orders.length).toBe(before);
  };

  it('refuses PRIJS on an order line (the price is PRS)', () => refused(head(), [line({ PRIJS: '10' })], "Veld 'PRIJS' bestaat niet in tabel ORDRG"));
  it('refuses a line description over 40 characters', () => refused(head(), [line({ OMSCHR: 'x'.repeat(41) })], 'Regel 1: omschrijving (OMSCHR) is te lang: maximaal 40 tekens'));
  it('refuses an order without DEB', () => refused({ DAT: '23/11/2026', KENM: 'WB 1' }, [line()], 'Debiteur (DEB) is verplicht'));
  it('refuses a line without ART', () => refused(head(), [{ AANT: '1', OMSCHR: 'x' }], 'Regel 1: artikel (ART) is verplicht'));
  it('refuses a line without AANT', () => refused(head(), [{ ART: 'WERKTIJD' }], 'Regel 1: aantal (AANT) is verplicht'));
  it('refuses an unknown ORDKOP field', () => refused(head({ OMSCHR: 'Werkbon' }), [line()], "Veld 'OMSCHR' bestaat niet in tabel ORDKOP"));
  it('refuses remarks (OPM) over 250 characters', () => refused(head({ OPM: 'x'.repeat(251) }), [line()], 'Opmerking (OPM) is te lang: maximaal 250 tekens'));
  it('refuses a KENM over 25 characters', () => refused(head({ KENM: 'K'.repeat(26) }), [line()], 'Kenmerk (KENM) is te lang: maximaal 25 tekens'));
  it('refuses a KENM with a TAB or line break', () => refused(head({ KENM: 'WB\t1' }), [line()], 'Kenmerk (KENM) mag geen tab of regeleinde bevatten'));
  it('refuses AANT with a comma', () => refused(head(), [line({ AANT: '1,5' })], /ongeldig aantal '1,5'/));
  it('refuses AANT with more than 4 decimals', () => refused(head(), [line({ AANT: '0.33333' })], /ongeldig aantal '0.33333'/));
  it('refuses PRS with a comma', () => refused(head(), [line({ PRS: '4,25' })], /ongeldige prijs '4,25'/));
  it('refuses PRS with more than 2 decimals', () => refused(head(), [line({ PRS: '4.125' })], /ongeldige prijs '4.125'/));
  it('refuses a second ORDKOP', () => refused(head(), [line()], 'Een verkooporder heeft precies één ORDKOP', `<ORDKOP>${tags(head())}</ORDKOP>`));
  it('refuses a field given twice', async () => {
    const before = fake.state.orders.length;
    const { error } = await call('CREATEVERKOOPORDER', { VERKOOPORDER: `<NewDataSet><ORDKOP><DEB>10001</DEB><DEB>10002</DEB></ORDKOP><ORDRG>${tags(line())}</ORDRG></NewDataSet>` });
    expect(error).toBe("ORDKOP: Veld 'DEB' komt meer dan één keer voor");
    expect(fake.state.orders.length).toBe(before);
  });
  it('refuses another table in the order (e.g. DIGDOS)', () => refused(head(), [line()], "Onbekende tabel 'DIGDOS' in de verkooporder", '<DIGDOS><NAAM>x.pdf</NAAM></DIGDOS>'));
  it('refuses an order without lines', () => refused(head(), [], /minstens één orderregel/));
  it('refuses an ISO date (d/m/Y on this transport)', () => refused(head({ DAT: '2026-11-23' }), [line()], "Ongeldige datum '2026-11-23' in ORDKOP.DAT"));
  it('refuses a blocked debtor', () => refused(head({ DEB: '10030' }), [line()], 'Debiteur 10030 is geblokkeerd'));
  it('refuses a debtor blocked for sales orders (BLOKVRKVA)', () => refused(head({ DEB: '10040' }), [line()], 'Debiteur 10040 is geblokkeerd voor verkooporders vanaf 01-06-2024'));
  it('refuses an unknown debtor and an unknown article', async () => {
    await refused(head({ DEB: '99999' }), [line()], 'Debiteur 99999 bestaat niet');
    await refused(head(), [line({ ART: 'BESTAATNIET' })], "Regel 1: artikel 'BESTAATNIET' bestaat niet");
  });
  it('refuses an article blocked for sales (BLOKVRK)', async () => {
    const code = fake.state.articles.find((a) => a.BLOKVRK === 'J')!.NR;
    await refused(head(), [line({ ART: code })], `Regel 1: artikel '${code}' is geblokkeerd voor verkoop`);
  });
});

describe('faults', () => {
  it('timeout after commit: stores the order, then answers 504', async () => {
    fake.faults.timeoutAfterCommit = { method: 'POST', path: 'CREATEVERKOOPORDER', count: 1 };
    const before = fake.state.orders.length;
    const xml = `<NewDataSet><ORDKOP>${tags(head())}</ORDKOP><ORDRG>${tags(line())}</ORDRG></NewDataSet>`;
    const res = await post({ ACTIE: 'CREATEVERKOOPORDER', SESSIONID: sessionId, ...auth, VERKOOPORDER: xml });
    expect(res.status).toBe(504);
    expect(fake.state.orders.length).toBe(before + 1);
  });

  it('a status fault over /__faults, with Retry-After for a 429', async () => {
    const set = await fetch(new URL('/__faults', fake.url), { method: 'POST', body: JSON.stringify({ failNext: [{ action: 'CREATEVERKOOPORDER', status: 429, retryAfterSeconds: 2 }] }) });
    expect(set.status).toBe(200);
    const res = await post({ ACTIE: 'CREATEVERKOOPORDER', SESSIONID: sessionId, ...auth, VERKOOPORDER: '<NewDataSet/>' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    const state = (await (await fetch(new URL('/__state', fake.url))).json()) as { requests: Record<string, number> };
    expect(state.requests.CREATEVERKOOPORDER).toBeGreaterThan(0);
  });
});
