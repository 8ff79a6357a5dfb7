import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { projectRoot } from '../scripts/local/temporal-server.js';

/**
 * Which build of the product the bench measures (bench/README.md, "What runs"): the compiled one of `npm run build`
 * (dist/, plain `node`, the workflow bundle the build wrote), as production runs it, whenever dist/ holds it; the
 * sources under tsx otherwise. BENCH_COMPILED=1 insists on dist/, BENCH_COMPILED=0 measures the sources.
 */
export interface BenchBuild {
  compiled: boolean;
  distDir: string;
  /** What the table's notes say about the build (and a warning when dist/ is older than the sources). */
  note: string;
  /** The worker child process: its script and the node arguments that run it. */
  workerChild(): { args: string[] };
  /** The workflow bundle the worker loads (compiled: dist/workflow-bundle.js; null: the bench bundles the sources). */
  workflowBundle: string | null;
  /** The API and data converter modules, from dist/ or the sources. */
  product(): Promise<{ app: typeof import('../api/app.js'); codec: typeof import('../lib/codec.js') }>;
}

const sourceDirs = ['activities', 'api', 'connectors', 'db', 'lib', 'workflows'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function resolveBuild(): BenchBuild {
  const distDir = path.join(projectRoot, 'dist');
  const bundle = path.join(distDir, 'workflow-bundle.js');
  const present = existsSync(path.join(distDir, 'activities', 'worker.js')) && existsSync(path.join(distDir, 'api', 'app.js')) && existsSync(bundle);
  const wanted = process.env.BENCH_COMPILED;
  if (wanted === '1' && !present) throw new Error('BENCH_COMPILED=1 but dist/ holds no build: run `npm run build` first');
  const compiled = wanted === '0' ? false : present;
  if (!compiled) {
    return {
      compiled, distDir, workflowBundle: null,
      note: `Build: the sources under tsx (${present ? 'BENCH_COMPILED=0' : 'no dist/: `npm run build` makes the compiled one, which the bench then runs'}).`,
      workerChild: () => ({ args: ['--import', 'tsx', path.join(projectRoot, 'bench', 'worker-child.ts')] }),
      product: async () => ({ app: await import('../api/app.js'), codec: await import('../lib/codec.js') }),
    };
  }
  const stale = sourceDirs.some((d) => newestSource(path.join(projectRoot, d)) > statSync(bundle).mtimeMs);
  let child: string | undefined;
  return {
    compiled, distDir, workflowBundle: bundle,
    note: `Build: compiled (dist/, node without tsx, dist/workflow-bundle.js)${stale ? '. WARNING: dist/ is older than the sources; `npm run build` to measure them' : ''}.`,
    workerChild() {
      // The bench's worker-child next to the compiled code (dist/bench/), so its `../db/client.js` imports are dist's.
      if (!child) {
        const source = readFileSync(path.join(projectRoot, 'bench', 'worker-child.ts'), 'utf8');
        const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
        child = path.join(distDir, 'bench', 'worker-child.js');
        mkdirSync(path.dirname(child), { recursive: true });
        writeFileSync(child, out);
      }
      return { args: [child] };
    },
    product: async () => ({
      app: (await import(pathToFileURL(path.join(distDir, 'api', 'app.js')).href)) as typeof import('../api/app.js'),
      codec: (await import(pathToFileURL(path.join(distDir, 'lib', 'codec.js')).href)) as typeof import('../lib/codec.js'),
    }),
  };
}
