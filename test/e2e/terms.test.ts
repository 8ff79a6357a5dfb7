import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { activate, fsSettings } from '../helpers/activation.js';
import { startStack, tokens, uniqueTenant, type Stack } from '../helpers/stack.js';

/**
 * The activation card and the terms (issue 11, docs/terms.md): the manuals' card texts per package, the terms with
 * a version and a page, who accepted which version when, and a new version asked again at the next save.
 */
let stack: Stack;
const tenant = uniqueTenant('terms');
const base = `/v1/tenants/${tenant}/integration`;

beforeAll(async () => {
  stack = await startStack('terms');
  seedFactuurSturen(stack.fake.state, { groups: 1, products: 5, clients: 5 });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('activation card and terms', () => {
  it("GET /v1/providers gives each package the manuals' card, the terms with their version and a link", async () => {
    const res = await stack.api('GET', '/v1/providers', undefined, tokens.backend);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.providers.map((p: { id: string }) => [p.id, p]));
    expect(byId.octopus.card).toEqual({
      title: 'Integratie: Octopus',
      steps: ['Artikelen en Klanten gaan van Octopus naar Simon', 'Een gearchiveerde werkbon in Simon wordt een verkoop factuur in Octopus'],
      detailsLinkText: expect.stringContaining('Integratie Octopus met Simple-Simon beschrijving (PDF)'),
      badge: 'INZETBAAR',
    });
    expect(byId.factuursturen.card.steps[1]).toBe('Een Offerte in FactuurSturen wordt desgewenst een Werkbon in Simple-Simon');
    for (const p of res.body.providers) expect(p).toMatchObject({ termsVersion: '2025-1', termsUrl: '/v1/terms', termsLinkText: 'Bekijk hier de voorwaarden tot gebruik van deze integratie (PDF)' });
    const page = await stack.app.request('/v1/terms', { headers: { authorization: `Bearer ${tokens.backend}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Versie 2025-1');
    expect(html).toContain('Ik ga akkoord met de voorwaarden');
  });

  it('records who accepted which terms version, and when', async () => {
    await activate(stack, { provider: 'factuursturen', tenant });
    const status = await stack.api('GET', base, undefined, tokens.support);
    expect(status.body).toMatchObject({ termsVersion: '2025-1', termsAcceptedBy: expect.any(String) });
    expect(Date.parse(status.body.termsAcceptedAt)).toBeGreaterThan(Date.now() - 5 * 60_000);
  }, 120_000);

  it('a new terms version is asked again at the next save, and recorded once accepted', async () => {
    const before = (await stack.api('GET', base, undefined, tokens.support)).body;
    stack.env.TERMS_VERSION = '2026-1';
    try {
      const refused = await stack.api('PUT', `${base}/settings`, { settings: { ...fsSettings, excludeFilterWord: 'garantie' } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body).toMatchObject({ error: 'terms_changed' });
      expect(refused.body.message).toContain('2026-1');
      const stale = await stack.api('PUT', `${base}/settings`, { settings: { ...fsSettings, termsVersion: '2025-1' } });
      expect(stale.status).toBe(400);
      expect(JSON.stringify(stale.body)).toContain('settings.termsVersion');

      const accepted = await stack.api('PUT', `${base}/settings`, { settings: { ...fsSettings, excludeFilterWord: 'garantie', termsVersion: '2026-1' } });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      const after = (await stack.api('GET', base, undefined, tokens.support)).body;
      expect(after.termsVersion).toBe('2026-1');
      expect(Date.parse(after.termsAcceptedAt)).toBeGreaterThan(Date.parse(before.termsAcceptedAt));
      // Accepted once: the next save needs no version.
      const next = await stack.api('PUT', `${base}/settings`, { settings: { ...fsSettings } });
      expect(next.status, JSON.stringify(next.body)).toBe(200);
    } finally {
      stack.env.TERMS_VERSION = '2025-1';
    }
  }, 120_000);
});
