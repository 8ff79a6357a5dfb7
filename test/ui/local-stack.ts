import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { createScratchDatabase } from '../../scripts/local/postgres-server.js';
import { freePort, projectRoot } from '../../scripts/local/temporal-server.js';

/** `npm start` (scripts/start.ts) as its own process on free ports, as a newcomer runs it. */
export interface LocalStack {
  apiUrl: string;
  uiUrl: string;
  /** The Temporal UI's codec endpoint: the local codec proxy. */
  codecUrl: string;
  /** The demo work order `npm start` archives, and its export run in the Temporal UI. */
  demoWorkOrderId: string;
  demoRunUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the local stack with every port free (API, Temporal, its UI, the codec proxy, embedded PostgreSQL and the
 * five fakes) and its data in a temporary directory, then waits for the demo tenant's archived work order to have
 * its export run. With TEST_DATABASE_URL / DATABASE_URL set it uses a scratch database on that server instead of
 * the embedded one.
 */
export async function startLocalStack(timeoutMs = 480_000): Promise<LocalStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'simon-ui-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must reach its data directory inside.
  chmodSync(dataDir, 0o755);
  const [api, temporal, ui, codec, pg, fs, octopus, imuis, rompslomp, visma, connect, salesOrder] = await Promise.all(Array.from({ length: 12 }, () => freePort()));
  const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const scratch = `ui_${randomBytes(4).toString('hex')}`;
  const databaseUrl = server ? await createScratchDatabase(server, scratch) : undefined;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    LOCAL_DATA_DIR: dataDir,
    PORT: String(api),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    CODEC_PROXY_PORT: String(codec),
    EMBEDDED_PG_PORT: String(pg),
    FACTUURSTUREN_BASE_URL: `http://127.0.0.1:${fs}/api/v1/`,
    OCTOPUS_BASE_URL: `http://127.0.0.1:${octopus}/octopus-rest-api/v1/`,
    IMUIS_BASE_URL: `http://127.0.0.1:${imuis}/`,
    ROMPSLOMP_BASE_URL: `http://127.0.0.1:${rompslomp}/api/v1/`,
    VISMA_NET_BASE_URL: `http://127.0.0.1:${visma}/v1/`,
    VISMA_CONNECT_BASE_URL: `http://127.0.0.1:${connect}/connect/`,
    VISMA_NET_SALESORDER_BASE_URL: `http://127.0.0.1:${salesOrder}/api/v3/`,
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (out += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Ctrl-C, as a person stops it: scripts/start.ts stops Temporal, PostgreSQL and the rest, then exits.
      child.kill('SIGINT');
      const late = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(late);
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (server) {
      const admin = postgres(server, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${scratch}" with (force)`).finally(() => admin.end({ timeout: 5 }));
    }
  };

  const deadline = Date.now() + timeoutMs;
  let found: { id: string; url: string } | undefined;
  while (!found) {
    const id = /Archiving demo work order (\S+) for/.exec(out)?.[1];
    const url = /Run in the Temporal UI: (\S+)/.exec(out)?.[1];
    if (id && url) found = { id, url };
    else if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before the demo export ran:\n${out.slice(-4000)}`);
    }
    else if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start: no demo export run within ${timeoutMs} ms:\n${out.slice(-4000)}`);
    } else await new Promise((r) => setTimeout(r, 250));
  }
  return {
    apiUrl: `http://127.0.0.1:${api}`,
    uiUrl: `http://127.0.0.1:${ui}`,
    codecUrl: `http://127.0.0.1:${codec}`,
    demoWorkOrderId: found.id,
    demoRunUrl: found.url,
    output: () => out,
    stop,
  };
}
