/**
 * `npm run provider:check -- <provider> [--write-test-document]`: a read-only check of a real account before a firm
 * goes live (docs/provider-check.md). It connects, lists one page of each entity, runs "Controleer" on the given
 * settings and prints what it found, and every field in the answers that the connector did not expect (the public
 * documentation may be behind the live service). It writes nothing, unless --write-test-document is given: then it
 * creates one concept/draft document marked as a test and says where.
 *
 * Environment: the provider's base URL settings as for the service (e.g. FACTUURSTUREN_BASE_URL), and
 *   PROVIDER_CHECK_CREDENTIALS  JSON: FactuurSturen {username, apiKey}; Octopus {username, password};
 *                               iMuis {environmentCode}; Rompslomp and Visma.net {accessToken, refreshToken?}
 *   PROVIDER_CHECK_SETTINGS     JSON settings (optional; "Controleer" runs when given; needed to pick the dossier/company)
 * Exit code 0 when everything answered, 1 when a step failed, 2 for a usage error. The last line is
 * `PROVIDER_CHECK {json}` for programs.
 */
import { createConnector, providerBaseUrl, providerConfig } from '../connectors/index.js';
import type { Connector, DocumentDraft, ListRequest, Page } from '../connectors/types.js';
import { ProviderError } from '../lib/errors.js';
import { documentTypeFor } from '../lib/document.js';
import { loadEnvOrExit } from '../lib/env.js';
import { providerIds, providers, type ProviderId } from '../lib/providers.js';
import { settingsSchema, type Settings } from '../lib/settings.js';

interface StepResult {
  step: string;
  ok: boolean;
  detail: unknown;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function usage(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run provider:check -- <${providerIds.join('|')}> [--write-test-document]\n`);
  process.exit(2);
}

function parseJson(name: string, raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    usage(`${name} is not valid JSON`);
  }
}

/** A provider error as one line, without anything secret (ProviderError messages never hold credentials). */
function describe(err: unknown): string {
  if (err instanceof ProviderError) return `${err.kind}${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function main() {
  const args = process.argv.slice(2);
  const provider = args.find((a) => !a.startsWith('--')) as ProviderId | undefined;
  if (!provider || !providerIds.includes(provider)) usage(`Unknown or missing provider${provider ? ` '${provider}'` : ''}`);
  const writeTestDocument = args.includes('--write-test-document');
  const env = loadEnvOrExit();
  const credentials = parseJson('PROVIDER_CHECK_CREDENTIALS', process.env.PROVIDER_CHECK_CREDENTIALS) as Record<string, string> | undefined;
  if (!credentials || typeof credentials !== 'object') usage('PROVIDER_CHECK_CREDENTIALS is required');
  const rawSettings = parseJson('PROVIDER_CHECK_SETTINGS', process.env.PROVIDER_CHECK_SETTINGS);
  let settings: Settings | null = null;
  if (rawSettings !== undefined) {
    const parsed = settingsSchema.safeParse(rawSettings);
    if (!parsed.success) usage(`PROVIDER_CHECK_SETTINGS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.provider !== provider) usage(`PROVIDER_CHECK_SETTINGS are for ${parsed.data.provider}, not ${provider}`);
    settings = parsed.data;
  }

  const unexpected = new Map<string, Set<string>>();
  const connector: Connector = createConnector(provider, {
    baseUrl: providerBaseUrl(env, provider),
    credentials,
    settings,
    config: providerConfig(env, provider),
    timeoutMs: env.PROVIDER_TIMEOUT,
    onUnexpectedFields: (operation, fields) => {
      const seen = unexpected.get(operation) ?? new Set<string>();
      for (const f of fields) seen.add(f);
      unexpected.set(operation, seen);
    },
  });

  const results: StepResult[] = [];
  const step = async <T>(name: string, run: () => Promise<T>, show: (value: T) => unknown): Promise<T | undefined> => {
    try {
      const value = await run();
      const detail = show(value);
      results.push({ step: name, ok: true, detail });
      say(`✔ ${name}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
      return value;
    } catch (err) {
      results.push({ step: name, ok: false, detail: describe(err) });
      say(`✘ ${name}: ${describe(err)}`);
      return undefined;
    }
  };

  say(`${providers[provider].name} at ${providerBaseUrl(env, provider)}${writeTestDocument ? ' (will write one test document)' : ' (read-only)'}`);
  const connected = await step('connect', () => connector.verifyConnection(), (r) => `connected${r.label ? ` as ${r.label}` : ''}`);
  if (connected) {
    const firstPage = <T>(list: (req: ListRequest) => Promise<Page<T>>) => list({ cursor: null, since: null, pageSize: 5 });
    const count = (p: Page<{ externalId: string }>) => ({ onFirstPage: p.records.length, total: p.total ?? null, more: p.nextCursor !== null, firstIds: p.records.slice(0, 3).map((r) => r.externalId) });
    await step('article groups', () => firstPage((r) => connector.listArticleGroups(r)), count);
    const articles = await step('articles', () => firstPage((r) => connector.listArticles(r)), count);
    const customers = await step('customers', () => firstPage((r) => connector.listCustomers(r)), count);
    if (connector.listQuotes) await step('quotes', () => firstPage((r) => connector.listQuotes!(r)), count);
    if (settings) {
      await step('Controleer', async () => {
        const checks = await connector.checkSettings(settings);
        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0) throw new Error(failed.map((c) => `${c.field}: ${c.error}`).join('; '));
        return checks;
      }, (checks) => checks.map((c) => ({ field: c.field, found: c.found ?? null })));
    }
    if (writeTestDocument) {
      await step('test document', async () => {
        const customer = customers?.records[0];
        const article = articles?.records.find((a) => a.active);
        if (!settings) throw new Error('PROVIDER_CHECK_SETTINGS are needed to write a test document');
        if (!customer || !article) throw new Error('no customer or article to address the test document to');
        const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
        const draft: DocumentDraft = {
          documentType: documentTypeFor(settings),
          // Short enough for every package's reference field (FactuurSturen: 20 characters).
          reference: `SIMTEST${stamp}`.slice(0, 20),
          workOrderId: `provider-check-${stamp}`,
          workOrderNumber: `TEST-${stamp}`,
          date: new Date().toISOString().slice(0, 10),
          customer: { externalId: customer.externalId, name: customer.name },
          lines: [
            { kind: 'text', description: 'TEST van de Simon-koppeling (npm run provider:check): mag worden verwijderd' },
            { kind: 'article', role: 'default', articleExternalId: article.externalId, articleCode: article.code, description: article.description, quantity: 1, unitPrice: '0.00' },
          ],
          paymentReference: null,
          descriptionLines: ['TEST Simon-koppeling'],
          memo: 'TEST van de Simon-koppeling: mag worden verwijderd',
          customerReference: null,
          warehouse: settings.provider === 'visma-net' && settings.warehouse ? settings.warehouse.default ?? null : null,
        };
        const plan = connector.planDocument ? await connector.planDocument(draft) : null;
        return connector.createDocument(draft, plan);
      }, (doc) => `created as a concept/draft: id ${doc.documentId}${doc.documentNumber ? `, number ${doc.documentNumber}` : ''}, customer ${customers?.records[0]?.externalId ?? '?'}; delete it in ${providers[provider].name}`);
    }
  }

  const unexpectedFields = Object.fromEntries([...unexpected].map(([op, fields]) => [op, [...fields].sort()]));
  if (unexpected.size > 0) {
    say('Fields in the answers that the connector does not know (check docs/providers before going live):');
    for (const [op, fields] of Object.entries(unexpectedFields)) say(`  ${op}: ${fields.join(', ')}`);
  } else {
    say('No unexpected fields in the answers.');
  }
  const ok = results.every((r) => r.ok);
  say(`PROVIDER_CHECK ${JSON.stringify({ provider, ok, steps: results, unexpectedFields })}`);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`${describe(err)}\n`);
  process.exit(1);
});
