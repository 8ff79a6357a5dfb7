import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './temporal-server.js';

const target = path.join(projectRoot, '.tools', 'schemathesis');
const bin = path.join(target, 'bin', 'st');

/**
 * The schemathesis CLI (PyPI), installed into .tools/schemathesis on first use like the Temporal CLI
 * (`pip install --target`), so `npm test` needs no set-up step. Returns the binary and the PYTHONPATH it needs.
 */
export function resolveSchemathesis(): { bin: string; env: Record<string, string> } {
  const env = { PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: '1' };
  if (existsSync(bin)) return { bin, env };
  for (const pip of [['python3', '-m', 'pip'], ['pip3'], ['pip']]) {
    const [cmd, ...args] = pip;
    const r = spawnSync(cmd, [...args, 'install', '--quiet', '--disable-pip-version-check', '--target', target, 'schemathesis==4.32.5'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status === 0 && existsSync(bin)) return { bin, env };
  }
  throw new Error('schemathesis could not be installed (pip install --target .tools/schemathesis schemathesis)');
}
