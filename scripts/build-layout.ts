/**
 * Where the compiled build keeps its files (ARCHITECTURE.md, "Build and deploy"). `npm run build` compiles the
 * production code to dist/ with the sources' layout (dist/scripts/worker.js, dist/db/migrations, …) and writes the
 * workflow bundle to dist/workflow-bundle.js, so both resolve relative to this file whether it runs compiled or under tsx.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** True when this process runs the compiled JavaScript of `npm run build`, false under tsx. */
export const runsCompiled = import.meta.url.endsWith('.js');

/** dist/ of this checkout or image. */
export const distDir = runsCompiled ? path.resolve(here, '..') : path.resolve(here, '..', 'dist');

/** The workflow bundle `npm run build` writes (scripts/bundle-workflows.ts) and the compiled worker loads. */
export const workflowBundlePath = path.join(distDir, 'workflow-bundle.js');
