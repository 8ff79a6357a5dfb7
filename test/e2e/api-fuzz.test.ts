import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFactuurSturen } from '../../fakes/factuursturen/server.js';
import { projectRoot } from '../../scripts/local/temporal-server.js';
import { resolveSchemathesis } from '../../scripts/local/schemathesis.js';
import { activate, completedWorkOrder } from '../helpers/activation.js';
import { serveApi } from '../helpers/serve-api.js';
import { startStack, tokens, type Stack } from '../helpers/stack.js';

/**
 * The API fuzzed from its own OpenAPI document with schemathesis (PyPI, installed into .tools/ like the Temporal CLI):
 * for the admin, backend and support tokens, no 5xx and no answer that violates the declared schemas, status codes,
 * content types or headers, no schema-violating request accepted, 405 for undeclared methods. Bounded examples, so it
 * fits the CI budget. Not checked: "every schema-valid request is accepted" (positive_data_acceptance): some refusals
 * depend on state the document cannot express (an unknown OAuth state, another provider's settings, an opaque cursor).
 */
const EXAMPLES = Number(process.env.FUZZ_EXAMPLES ?? 25);
let stack: Stack;
let api: { url: string; stop(): Promise<void> };
const tenant = 'fuzz';

beforeAll(async () => {
  stack = await startStack('fuzz');
  seedFactuurSturen(stack.fake.state, { groups: 2, products: 10, clients: 10 });
  await activate(stack, { provider: 'factuursturen', tenant });
  const archived = await stack.api('POST', `/v1/tenants/${tenant}/work-orders/wo-1/archive`, await completedWorkOrder(stack, tenant, 'WB-F1'), tokens.backend);
  expect(archived.status).toBe(202);
  api = await serveApi(stack);
  configFile = writeConfig();
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

/** Fixed values for the path parameters that name existing data, so the generated requests reach the handlers. */
function writeConfig(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'simon-fuzz-')), 'schemathesis.toml');
  writeFileSync(file, ['[parameters]', `"path.tenant" = "${tenant}"`, '"path.id" = "wo-1"', ''].join('\n'));
  return file;
}
let configFile: string;

function schemathesis(token: string): Promise<{ code: number | null; output: string }> {
  const st = resolveSchemathesis();
  return new Promise((resolve) => {
    const child = spawn(st.bin, [
      '--config-file', configFile, 'run', `${api.url}/v1/openapi.json`, '--url', api.url,
      '--header', `Authorization: Bearer ${token}`,
      '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method,negative_data_rejection',
      '--max-examples', String(EXAMPLES), '--phases', 'examples,coverage,fuzzing', '--workers', '1', '--seed', '1',
      '--generation-deterministic', '--no-color', '--suppress-health-check', 'all',
    ], { cwd: projectRoot, env: { ...process.env, ...st.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('the API against its own OpenAPI document (schemathesis)', { timeout: 600_000 }, () => {
  it.each(['admin', 'backend', 'support'] as const)('%s token: no 5xx, every answer as documented', async (role) => {
    const result = await schemathesis(tokens[role]);
    // The run's own summary (operations, test cases, failures) for the record: reports/ is git-ignored.
    mkdirSync(path.join(projectRoot, 'reports'), { recursive: true });
    writeFileSync(path.join(projectRoot, 'reports', `schemathesis-${role}.txt`), result.output);
    expect(result.output).toMatch(/API Operations|operations/i);
    expect(result.code, result.output.slice(-6000)).toBe(0);
  });
});
