import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../../lib/providers.js';
import { startService, exitWithin } from '../deploy/process.js';
import { harnesses, type HarnessFake, type ProviderHarness } from '../helpers/harness/index.js';

/**
 * `npm run provider:check -- <provider>` against each fake (docs/provider-check.md): it connects, lists a page of
 * every entity, runs "Controleer", reports unknown fields, writes nothing; with --write-test-document exactly one
 * document. A wrong credential makes it exit non-zero.
 */
const cases = Object.values(harnesses).map((h) => h()).filter((h): h is ProviderHarness => h !== null);

async function runCheck(fake: HarnessFake, provider: string, credentials: Record<string, string>, settings: Record<string, unknown>, extra: string[] = []) {
  const proc = startService('provider-check.ts', {
    ...fake.env, NODE_ENV: 'test', LOG_LEVEL: 'silent',
    PROVIDER_CHECK_CREDENTIALS: JSON.stringify(credentials), PROVIDER_CHECK_SETTINGS: JSON.stringify(settings),
  }, [provider, ...extra]);
  const code = await exitWithin(proc, 120_000);
  const last = proc.lines.find((l) => l.startsWith('PROVIDER_CHECK '));
  return { code, output: proc.lines.join('\n') + proc.stderr.join(''), report: last ? (JSON.parse(last.slice('PROVIDER_CHECK '.length)) as { ok: boolean; steps: { step: string; ok: boolean }[]; unexpectedFields: Record<string, string[]> }) : null };
}

describe.each(cases.map((h) => [providers[h.provider].name, h] as const))('provider:check against the %s fake', { timeout: 240_000 }, (_name, harness) => {
  let fake: HarnessFake;
  let login: { credentials: Record<string, string>; settings: Record<string, unknown> };
  beforeAll(async () => {
    fake = await harness.start();
    login = await fake.check!();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it('connects, lists every entity, checks the settings and writes nothing', async () => {
    const before = fake.documents().length;
    const { code, output, report } = await runCheck(fake, harness.provider, login.credentials, login.settings);
    expect(code, output).toBe(0);
    expect(report?.ok).toBe(true);
    expect(report!.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['connect', 'article groups', 'articles', 'customers', 'Controleer']));
    // The fakes answer with the documented fields only.
    expect(report!.unexpectedFields).toEqual({});
    expect(fake.documents().length).toBe(before);
  });

  it('with --write-test-document creates exactly one document and says where', async () => {
    const before = fake.documents().length;
    const { code, output } = await runCheck(fake, harness.provider, login.credentials, login.settings, ['--write-test-document']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/test document: created as a concept\/draft: id \S+/);
    expect(fake.documents().length).toBe(before + 1);
  });

  it('exits non-zero and names the step when the credentials are wrong', async () => {
    const wrong = Object.fromEntries(Object.entries(login.credentials).map(([k, v]) => [k, k === 'username' ? v : `${v}-wrong`]));
    const { code, report, output } = await runCheck(fake, harness.provider, wrong, login.settings);
    expect(code, output).toBe(1);
    expect(report?.steps.find((s) => s.step === 'connect')?.ok).toBe(false);
    for (const secret of Object.values(wrong)) if (secret.length > 12) expect(output).not.toContain(secret);
  });
});
