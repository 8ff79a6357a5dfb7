/**
 * The benchmarks (bench/README.md): `npm run bench [-- part …]` with parts archive, import, idle, memory, logs, fleet
 * (default: all). BENCH_SCALE (default 1) scales every size; 0.1 is a quick smoke run. Prints a table, notes and
 * one `BENCH_JSON {…}` line. Never part of `npm test`. See bench/README.md for what each figure means.
 */
import os from 'node:os';
import { startInfra } from './stack.js';
import { renderTable, type PartResult } from './report.js';
import { archiveBench } from './parts/archive.js';
import { idleSyncBench } from './parts/idle-sync.js';
import { importReport, memoryReport, runImport, type ImportRun } from './parts/import.js';
import { logsBench } from './parts/logs.js';
import { fleetBench } from './parts/fleet.js';
import { fmt } from './stats.js';

const allParts = ['archive', 'idle', 'import', 'memory', 'logs', 'fleet'] as const;
type Part = (typeof allParts)[number];
const aliases: Record<string, Part> = { 'idle-sync': 'idle', sync: 'idle', log: 'logs', mem: 'memory', rss: 'memory', tenants: 'fleet' };

function parseParts(argv: string[]): Part[] {
  const wanted = argv.filter((a) => !a.startsWith('-')).map((a) => aliases[a.toLowerCase()] ?? a.toLowerCase());
  const unknown = wanted.filter((w) => !(allParts as readonly string[]).includes(w));
  if (unknown.length) {
    process.stderr.write(`Unknown part(s): ${unknown.join(', ')}. Parts: ${allParts.join(', ')}\n`);
    process.exit(2);
  }
  return wanted.length ? allParts.filter((p) => wanted.includes(p)) : [...allParts];
}

const scale = Number(process.env.BENCH_SCALE ?? '1');
if (!Number.isFinite(scale) || scale <= 0) {
  process.stderr.write('BENCH_SCALE must be a positive number\n');
  process.exit(2);
}
const at = (n: number, min: number) => Math.max(min, Math.round(n * scale));
const sizes = {
  archive: { sequential: at(200, 20), concurrent: at(100, 10), concurrency: 10 },
  // 1,000 customers + 250 articles is the tenant the goal is stated for; only the number of syncs scales.
  idle: { customers: 1000, articles: 250, syncs: at(30, 5) },
  import: { small: at(20_000, 1000), large: at(100_000, 5000) },
  logs: { rows: at(1_000_000, 10_000), tenants: 100, walks: at(200, 20), nextPages: 4 },
  // Real schedules: the interval is the product's 5 minutes unless BENCH_FLEET_INTERVAL_S shortens it (figures scaled).
  fleet: {
    tenants: (process.env.BENCH_FLEET_TENANTS ?? `${at(200, 10)},${at(1000, 20)}`).split(',').map(Number).filter((x) => x > 0),
    intervalS: Number(process.env.BENCH_FLEET_INTERVAL_S ?? '300'),
    cycles: Number(process.env.BENCH_FLEET_CYCLES ?? '2'),
  },
};

async function main() {
  const parts = parseParts(process.argv.slice(2));
  const started = performance.now();
  const log = (m: string) => process.stderr.write(`${m}\n`);
  log(`Benchmarks: ${parts.join(', ')} · BENCH_SCALE=${scale} · ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`);
  const infra = await startInfra(log);
  const results: PartResult[] = [];
  const imports = new Map<number, ImportRun>();
  const importOf = async (n: number) => {
    if (!imports.has(n)) {
      log(`  importing ${n.toLocaleString('en-US')} customers…`);
      imports.set(n, await runImport(infra, n));
    }
    return imports.get(n)!;
  };
  try {
    for (const part of parts) {
      const t = performance.now();
      log(`▶ ${part}`);
      switch (part) {
        case 'archive':
          results.push(await archiveBench(infra, sizes.archive));
          break;
        case 'idle':
          results.push(await idleSyncBench(infra, sizes.idle));
          break;
        case 'import': {
          const small = await importOf(sizes.import.small);
          const large = await importOf(sizes.import.large);
          results.push(importReport([small, large]));
          break;
        }
        case 'memory': {
          const large = await importOf(sizes.import.large);
          results.push(memoryReport(large, imports.get(sizes.import.small)));
          break;
        }
        case 'logs':
          results.push(await logsBench(infra, sizes.logs, log));
          break;
        case 'fleet':
          results.push(await fleetBench(infra, sizes.fleet, log));
          break;
      }
      log(`  ${part} done in ${fmt((performance.now() - t) / 1000, 1)} s`);
    }
  } finally {
    await infra.stop();
  }
  const totalS = (performance.now() - started) / 1000;
  process.stdout.write(`\n${renderTable(results)}\n\n${infra.build.note}\nTotal ${fmt(totalS, 0)} s on ${os.cpus().length} cores (BENCH_SCALE=${scale}).\n`);
  const json = {
    scale,
    cores: os.cpus().length,
    node: process.version,
    totalSeconds: Math.round(totalS),
    compiled: infra.build.compiled,
    sizes,
    ...Object.fromEntries(results.map((r) => [r.part, r.json])),
  };
  process.stdout.write(`BENCH_JSON ${JSON.stringify(json)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`Benchmark failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
