import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../lib/env.js';
import { WORKER_NODE_FLAGS } from '../../lib/worker-flags.js';
import { searchAttributeDefinitions } from '../../lib/search-attributes.js';
import { projectRoot } from '../../scripts/local/temporal-server.js';
import { resolveCompose } from './compose-cli.js';

/**
 * The production-like stack (issue 7) as Docker Compose resolves it. There is no Docker engine on these
 * machines; `docker compose config` needs none, so the file is validated and inspected through it.
 */

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  container_name?: string;
  ports?: unknown[];
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  stop_grace_period?: string;
  volumes?: { type: string; source: string; target: string }[];
}

const secrets = {
  API_TOKENS: `${randomBytes(12).toString('hex')}:admin,${randomBytes(12).toString('hex')}:support`,
  CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  // The Temporal UI's OIDC login and the codec's check of the token it forwards (docs/production-stack.md).
  OIDC_PROVIDER_URL: 'https://login.simon.example/realms/support',
  OIDC_CLIENT_ID: 'temporal-ui',
  OIDC_CLIENT_SECRET: randomBytes(12).toString('hex'),
  CODEC_JWT_JWKS_URL: 'https://login.simon.example/realms/support/protocol/openid-connect/certs',
  API_PUBLIC_URL: 'https://integrations.simon.example',
  TEMPORAL_UI_PUBLIC_URL: 'https://temporal.simon.example',
};

let compose: { cmd: string; args: string[] };
let emptyEnvFile: string;

/** Runs `compose config` with only the given variables (no .env of the developer's, no inherited secrets). */
function composeConfig(vars: Record<string, string>) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...vars };
  return spawnSync(compose.cmd, [...compose.args, '--env-file', emptyEnvFile, '-f', path.join(projectRoot, 'docker-compose.yml'), 'config', '--format', 'json'], {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
  });
}

/** Go-style durations as compose prints them (`1m0s`, `20s`) in milliseconds. */
function goDurationMs(d: string): number {
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[unit as 'h' | 'm' | 's' | 'ms'];
  return ms;
}

let services: Record<string, Service>;

beforeAll(() => {
  compose = resolveCompose();
  emptyEnvFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'compose-')), 'empty.env');
  writeFileSync(emptyEnvFile, '');
  const r = composeConfig(secrets);
  expect(r.status, r.stderr).toBe(0);
  services = JSON.parse(r.stdout).services;
}, 120_000);

describe('docker-compose.yml', () => {
  it('resolves with the services of the production-like stack', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
  });

  it('pins every image to an explicit tag, never latest', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toBeTruthy();
      const image = s.image!;
      const lastPart = image.split('/').pop()!;
      const tag = image.includes('@sha256:') ? 'digest' : lastPart.includes(':') ? lastPart.split(':').pop()! : '';
      expect(tag, `${name}: ${image} has no tag`).not.toBe('');
      expect(tag, `${name}: ${image}`).not.toBe('latest');
    }
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services['temporal-setup'].image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services.postgres.image).toMatch(/^postgres:\d+\.\d+/);
  });

  it('lets the worker scale: no container name, no host port', () => {
    const worker = services.worker;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(worker.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/scripts/worker.js']);
    // `npm run worker` starts it the same way (lib/worker-flags.ts: V8 reads these when the heap is set up).
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
    expect(pkg.scripts.worker).toBe(['node', ...WORKER_NODE_FLAGS, 'dist/scripts/worker.js'].join(' '));
    // The SDK's metrics inside the compose network only (docs/metrics.md); the API's /metrics takes an optional token.
    expect(worker.environment?.WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    expect(services.api.environment).toHaveProperty('METRICS_TOKEN');
    expect(Object.keys(services)).not.toContain('prometheus');
  });

  it('builds API, worker and migrations from this repository with its Dockerfile, and runs them compiled', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      expect(services[name].build, name).toEqual({ context: projectRoot, dockerfile: 'Dockerfile' });
      // Plain node on the output of `npm run build` (tsconfig.build.json): dist/scripts/x.js comes from scripts/x.ts.
      // Node flags before the script only where the service has them (the worker's, lib/worker-flags.ts).
      const command = services[name].command!;
      const flags = name === 'worker' ? WORKER_NODE_FLAGS : [];
      expect(command, name).toHaveLength(2 + flags.length);
      expect(command.slice(0, 1 + flags.length)).toEqual(['node', ...flags]);
      const script = command.at(-1)!;
      const [, compiled] = /^dist\/(scripts\/[a-z-]+)\.js$/.exec(script) ?? [];
      expect(compiled, `${name}: ${script}`).toBeTruthy();
      expect(existsSync(path.join(projectRoot, `${compiled}.ts`)), `${name}: ${compiled}.ts`).toBe(true);
    }
  });

  it('starts in order: health checks and depends_on conditions', () => {
    const dep = (name: string) => Object.fromEntries(Object.entries(services[name].depends_on ?? {}).map(([k, v]) => [k, v.condition]));
    expect(dep('temporal')).toEqual({ postgres: 'service_healthy' });
    expect(dep('temporal-setup')).toEqual({ temporal: 'service_healthy' });
    expect(dep('migrate')).toEqual({ postgres: 'service_healthy' });
    for (const app of ['api', 'worker']) {
      expect(dep(app), app).toEqual({
        postgres: 'service_healthy',
        temporal: 'service_healthy',
        migrate: 'service_completed_successfully',
        'temporal-setup': 'service_completed_successfully',
      });
    }
    for (const name of ['postgres', 'temporal', 'api', 'worker']) {
      expect(services[name].healthcheck?.test?.length, `${name} has a health check`).toBeGreaterThan(1);
    }
    expect(services.api.healthcheck!.test!.join(' ')).toContain('/v1/ready');
  });

  it('runs Temporal on PostgreSQL and registers our search attributes', () => {
    const t = services.temporal.environment!;
    expect(t.DB).toBe('postgres12');
    expect(t.POSTGRES_SEEDS).toBe('postgres');
    const setup = services['temporal-setup'];
    const registered = Object.fromEntries(setup.environment!.SEARCH_ATTRIBUTES!.split(/\s+/).map((p) => p.split('=') as [string, string]));
    const expected = Object.fromEntries(Object.entries(searchAttributeDefinitions).map(([k, v]) => [k, v === 'KEYWORD' ? 'Keyword' : v]));
    expect(registered).toEqual(expected);
    const script = setup.volumes!.find((v) => v.target === setup.entrypoint!.at(-1))!;
    expect(existsSync(script.source)).toBe(true);
    expect(spawnSync('sh', ['-n', script.source]).status).toBe(0);
  });

  it("creates the app's and Temporal's databases in PostgreSQL's init script", () => {
    const init = services.postgres.volumes!.find((v) => v.target.startsWith('/docker-entrypoint-initdb.d/'))!;
    const sql = readFileSync(init.source, 'utf8');
    expect(sql).toMatch(/CREATE DATABASE simon\b/);
    expect(sql).toMatch(/CREATE DATABASE temporal\b/);
    expect(sql).toMatch(/CREATE DATABASE temporal_visibility\b/);
    expect(spawnSync('sh', ['-n', init.source]).status).toBe(0);
    expect(services.api.environment!.DATABASE_URL).toMatch(/@postgres:5432\/simon$/);
  });

  it("points the Temporal UI's codec at the API's public /codec endpoint over https, and the API's CORS at the UI", () => {
    const ui = services['temporal-ui'].environment!;
    // The UI forwards the access token to an https:// codec endpoint only.
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('https://integrations.simon.example/codec');
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    expect(services.api.environment!.TEMPORAL_UI_ORIGIN).toBe('https://temporal.simon.example');
    expect(ui.TEMPORAL_CORS_ORIGINS).toBe('https://temporal.simon.example');
  });

  it('logs people into the Temporal UI with OIDC, and has the API check the forwarded token against the same issuer', () => {
    const ui = services['temporal-ui'].environment!;
    expect(ui).toMatchObject({
      TEMPORAL_AUTH_ENABLED: 'true',
      TEMPORAL_AUTH_PROVIDER_URL: secrets.OIDC_PROVIDER_URL,
      TEMPORAL_AUTH_CLIENT_ID: 'temporal-ui',
      TEMPORAL_AUTH_CLIENT_SECRET: secrets.OIDC_CLIENT_SECRET,
      TEMPORAL_AUTH_CALLBACK_URL: 'https://temporal.simon.example/auth/sso/callback',
      TEMPORAL_AUTH_SCOPES: 'openid,profile,email',
    });
    const api = parseEnv(services.api.environment as Record<string, string>);
    expect(api.CODEC_JWT_ISSUER).toBe(secrets.OIDC_PROVIDER_URL);
    expect(api.CODEC_JWT_AUDIENCE).toEqual(['temporal-ui']);
    expect(api.CODEC_JWT_JWKS_URL).toBe(secrets.CODEC_JWT_JWKS_URL);
    expect(api).toMatchObject({ CODEC_JWT_ROLE_CLAIM: 'groups', CODEC_JWT_SUPPORT_VALUES: ['temporal-support'], CODEC_JWT_ADMIN_VALUES: ['temporal-admin'] });
    // The client secret is the UI's; the API and the workers never get it.
    for (const name of ['api', 'worker', 'migrate']) expect(JSON.stringify(services[name].environment)).not.toContain(secrets.OIDC_CLIENT_SECRET);
  });

  it('refuses to resolve without the OIDC login, naming what is missing', () => {
    const { OIDC_CLIENT_SECRET: _secret, ...withoutSecret } = secrets;
    const r = composeConfig(withoutSecret);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('OIDC_CLIENT_SECRET');
    const { API_PUBLIC_URL: _url, ...withoutApiUrl } = secrets;
    expect(composeConfig(withoutApiUrl).stderr).toContain('API_PUBLIC_URL');
  });

  it("gives API and worker an environment the product's config accepts, and Docker enough time for a graceful stop", () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const env = parseEnv(services[name].environment as Record<string, string>);
      expect(env.NODE_ENV).toBe('production');
      expect(env.DATABASE_URL).toBeTruthy();
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    const worker = parseEnv(services.worker.environment as Record<string, string>);
    expect(goDurationMs(services.worker.stop_grace_period!)).toBeGreaterThan(worker.WORKER_SHUTDOWN_GRACE);
    const api = parseEnv(services.api.environment as Record<string, string>);
    expect(goDurationMs(services.api.stop_grace_period!)).toBeGreaterThan(api.API_SHUTDOWN_GRACE);
  });

  it('refuses to resolve without the secrets, naming the missing one', () => {
    // Only API_TOKENS missing: with several missing, compose names one of them in no fixed order.
    const { API_TOKENS: _tokens, ...withoutTokens } = secrets;
    const r = composeConfig(withoutTokens);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('API_TOKENS');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('is multi-stage on node 20 bookworm-slim pinned to an exact version', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  it('installs everything to build, then only production dependencies and the compiled build to run', () => {
    expect(stages[0]).toMatch(/RUN npm ci\b(?!.*--omit=dev)/);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    // The runtime stage copies nothing from the build context but the package files: no sources, fakes, tests or bench.
    const copied = [...runtime.matchAll(/^COPY\s+(?!--from=)(.+)$/gm)].map((m) => m[1]);
    expect(copied).toEqual(['package.json package-lock.json ./']);
    expect(runtime).not.toContain('tsx');
    expect(runtime).toMatch(/^CMD \["node", "dist\/scripts\/api\.js"\]$/m);
    // The compiled services do not need tsx, so --omit=dev leaves it out.
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeTruthy();
  });

  it('leaves the fake servers and the local stack out of the build context', () => {
    const ignored = readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['fakes', 'test', 'bench', 'scripts/local', 'scripts/start.ts']) expect(ignored).toContain(entry);
  });

  it('runs as a non-root user with a health check', () => {
    const runtime = stages.at(-1)!;
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeTruthy();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toContain('/v1/health');
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.git', 'dist', '.env', '.data']) expect(ignored).toContain(entry);
  });
});
