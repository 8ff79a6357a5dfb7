/**
 * Summarises a V8 .cpuprofile (from BENCH_CPU_PROFILE=<dir> npm run bench -- idle): self time grouped by where the
 * code lives (our source folders, each node_modules package, node internals, GC, idle), then the top functions.
 * Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function area(url: string, name: string): string {
  if (!url) return name === '(garbage collector)' ? 'GC' : name === '(idle)' || name === '(program)' ? name : 'native/other';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/work\/[^/]+\/([^/]+)\//.exec(url) ?? /\/(activities|connectors|db|lib|workflows|api|bench)\//.exec(url);
  return own ? `ours: ${own[1]}` : url;
}

const areas = new Map<string, number>();
const fns = new Map<string, number>();
let total = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  total += us;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
process.stdout.write(`Busy (non-idle) JS-thread time: ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled\n\nBy area (self time):\n`);
for (const [a, us] of [...areas].filter(([a]) => a !== '(idle)').sort((x, y) => y[1] - x[1]).slice(0, 20)) {
  process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${a}\n`);
}
process.stdout.write('\nTop functions (self time):\n');
for (const [f, us] of [...fns].filter(([f]) => !f.startsWith('(idle)')).sort((x, y) => y[1] - x[1]).slice(0, Number(topArg ?? 25))) {
  process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${f}\n`);
}
