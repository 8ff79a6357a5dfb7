import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/temporal-server.js';
import { exitWithin, startService, type ServiceProcess } from './process.js';

/** Every entry point a person or a container runs ends with a non-zero code when it crashes (docs/testing.md). */
const started: ServiceProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const s of started) s.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('entry points exit non-zero on a crash', () => {
  it('the worker, when Temporal cannot be reached', async () => {
    const worker = startService('worker.ts', {
      NODE_ENV: 'test', LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5/none', TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    started.push(worker);
    const code = await exitWithin(worker, 120_000);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(worker.lines.some((l) => l.includes('worker failed'))).toBe(true);
  }, 180_000);

  it('npm start, when Temporal cannot be reached after the embedded PostgreSQL started', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'simon-start-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    const env: Record<string, string> = {
      LOCAL_DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(await freePort()),
      CODEC_PROXY_PORT: String(await freePort()), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      FACTUURSTUREN_BASE_URL: 'http://127.0.0.1:1/api/v1/', OCTOPUS_BASE_URL: 'http://example.invalid/', IMUIS_BASE_URL: 'http://example.invalid/',
      ROMPSLOMP_BASE_URL: 'http://example.invalid/', VISMA_NET_BASE_URL: 'http://example.invalid/', VISMA_CONNECT_BASE_URL: 'http://example.invalid/',
    };
    const start = startService('start.ts', env);
    started.push(start);
    const code = await exitWithin(start, 150_000);
    expect(code, start.stderr.join('')).not.toBe(0);
    expect(code).not.toBeNull();
    expect(start.lines.join('\n')).toContain('embedded PostgreSQL');
  }, 200_000);
});
