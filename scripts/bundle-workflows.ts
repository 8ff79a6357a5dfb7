/**
 * Writes the workflow bundle to dist/workflow-bundle.js (`npm run build` runs this once, compiled), so a
 * production worker starts without webpack and every worker of a release runs byte-identical workflow code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundlePath } from './build-layout.js';
import { bundleWorkflows } from '../activities/worker.js';

const out = process.argv[2] ? path.resolve(process.argv[2]) : workflowBundlePath;
const bundle = await bundleWorkflows();
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, bundle.code);
process.stdout.write(`Workflow bundle written to ${path.relative(process.cwd(), out) || out} (${Math.round(bundle.code.length / 1024)} KiB)\n`);
