import { DEFAULT_FS_ACCOUNT, type FakeFactuurSturen } from '../fakes/factuursturen/server.js';

/**
 * The demo tenant: activated against the fake FactuurSturen through the public API (the same calls Simon's
 * backend makes), then one completed work order archived, so a newcomer sees data flow both ways.
 */
export async function runDemo(opts: { apiUrl: string; adminToken: string; backendToken: string; fake: FakeFactuurSturen; say: (m: string) => void }) {
  const { apiUrl, say } = opts;
  const tenant = 'demo';
  const call = async (method: string, p: string, body?: unknown, token = opts.adminToken) => {
    const res = await fetch(`${apiUrl}/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json().catch(() => null)) as any;
    if (res.status >= 400) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const status = await fetch(`${apiUrl}/v1/tenants/${tenant}/integration`, { headers: { authorization: `Bearer ${opts.adminToken}` } });
  const current = status.status === 200 ? ((await status.json()) as any) : null;
  if (current?.status !== 'active') {
    say('Demo tenant "demo": activating FactuurSturen (wipe → connect → settings → save)…');
    await call('POST', `/tenants/${tenant}/integration/activation`, { provider: 'factuursturen' });
    const state = await call('GET', `/tenants/${tenant}/integration`);
    await call('POST', `/tenants/${tenant}/integration/activation/wipe`, {
      tables: state.activations === 0 ? ['Artikel Groep', 'Artikel', 'Werkbon', 'Werkadres', 'Klant', 'Objecten', 'Contact Personen'] : [],
    });
    await call('POST', `/tenants/${tenant}/integration/activation/connect`, { credentials: { username: DEFAULT_FS_ACCOUNT.username, apiKey: DEFAULT_FS_ACCOUNT.apiKey } });
    const settings = {
      provider: 'factuursturen', termsAccepted: true, workTimeArticle: '0002', travelTimeArticle: '0001', defaultArticle: '0003',
      excludeFilterWord: 'garantie', descriptionAsFirstLine: true, paymentReference: 'both', invoiceDescription: 'workOrderNumberAndDescription',
    };
    const saved = await call('PUT', `/tenants/${tenant}/integration/settings`, { settings });
    say(`  ${saved.message}`);
  } else {
    say('Demo tenant "demo" is already active (data kept in .data/).');
  }

  // Wait for the initial import, showing progress.
  for (let i = 0; i < 120; i++) {
    const s = await call('GET', `/tenants/${tenant}/integration`);
    const progress = (s.initialImport as { entity: string; recordsDone: number; recordsTotal: number | null; lastSuccessAt: string | null }[]);
    if (progress.length === 3 && progress.every((p) => p.lastSuccessAt)) {
      say(`  Imported: ${progress.map((p) => `${p.entity} ${p.recordsDone}`).join(', ')}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  const customers = await call('GET', `/tenants/${tenant}/customers?limit=1&active=true`);
  const articles = await call('GET', `/tenants/${tenant}/articles?limit=5`);
  const customer = customers.items?.[0];
  const materials = (articles.items ?? []).filter((a: { code: string }) => !['0001', '0002', '0003'].includes(a.code)).slice(0, 2);
  if (!customer) return;
  const id = `demo-${Date.now()}`;
  say(`Archiving demo work order ${id} for ${customer.name}…`);
  await call('POST', `/tenants/${tenant}/work-orders/${id}/archive`, {
    number: `WB-${String(Date.now()).slice(-5)}`, status: 'completed', customerId: customer.id, workAddressId: null,
    description: 'Onderhoud cv-ketel\nFilter vervangen', customerReference: 'Demo', assignedUserId: null,
    workMinutes: 120, travelMinutes: 15, materials: materials.map((m: { id: string }) => ({ articleId: m.id, quantity: 2, price: null })),
  }, opts.backendToken);
  for (let i = 0; i < 60; i++) {
    const e = await call('GET', `/tenants/${tenant}/work-orders/${id}/export`);
    if (e.state !== 'pending') {
      say(`  Export ${e.stateLabel}${e.documentNumber ? `: concept invoice ${e.documentNumber} in the fake FactuurSturen` : ''}${e.error ? ` (${e.error.message})` : ''}`);
      if (e.temporalUrl) say(`  Run in the Temporal UI: ${e.temporalUrl}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  say(`Integration log: GET ${apiUrl}/v1/tenants/${tenant}/logs (newest first). Runs: GET ${apiUrl}/v1/tenants/${tenant}/runs`);
  say('Change a customer in the fake (or wait): the 5-minute schedule "sync/demo" picks it up; trigger it now from the Temporal UI (Schedules).');
}
