import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../scripts/local/temporal-server.js';

/** A product entry point (scripts/*.ts under tsx, or its compiled dist/scripts/*.js) run as its own process. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Every stdout line so far (the services log JSON lines there). */
  lines: string[];
  stderr: string[];
  /** Resolves with the first stdout line whose parsed JSON satisfies `match`. */
  waitForLine(match: (entry: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  kill(): void;
}

export function startService(script: string, env: Record<string, string>, args: string[] = []): ServiceProcess {
  return spawnService(script, ['--import', 'tsx', path.join('scripts', script), ...args], env);
}

/** The compiled entry point of `npm run build` (dist/scripts/<name>.js) under plain Node, the way the Docker image runs it. */
export function startCompiledService(script: string, env: Record<string, string>): ServiceProcess {
  return spawnService(script, [path.join('dist', 'scripts', script)], env);
}

function spawnService(script: string, argv: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, argv, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { match: (e: Record<string, any>) => boolean; resolve: (e: Record<string, any>) => void }[] = [];
  const parse = (line: string) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      return undefined;
    }
  };
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      if (!line) continue;
      lines.push(line);
      const entry = parse(line);
      if (!entry) continue;
      for (const w of [...waiters]) {
        if (w.match(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(match, timeoutMs = 60_000) {
      const seen = lines.map(parse).find((e) => e && match(e));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('').slice(-2000)}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${script} exited with ${code} before the expected log line; stderr: ${stderr.join('').slice(-2000)}`));
        });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Waits for the process to exit, failing if it has not within `withinMs`. */
export async function exitWithin(service: ServiceProcess, withinMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process still running ${withinMs} ms after the signal`)), withinMs);
  });
  try {
    return await Promise.race([service.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
