/**
 * The real worker (lib/worker.ts createWorker) in a process of its own, so its CPU time and RSS are its own and
 * not the bench's, the fake provider's or the API's. Started by bench/worker-process.ts; speaks over IPC.
 * The workflow bundle is made once by the parent and read from a file: webpack here would inflate the RSS.
 * With a compiled build (bench/build.ts) this file runs transpiled from dist/bench/, next to the compiled code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { connectDatabase } from '../db/client.js';
import { parseEnv } from '../lib/env.js';
import { createDataConverter } from '../lib/codec.js';
import { createWorker } from '../activities/worker.js';

export type ChildRequest =
  | { id: number; type: 'usage' }
  | { id: number; type: 'threads' }
  | { id: number; type: 'sample-start'; intervalMs: number }
  | { id: number; type: 'sample-stop' }
  | { id: number; type: 'shutdown' };

export interface Usage {
  /** process.cpuUsage(), µs. */
  user: number;
  system: number;
  rss: number;
  heapUsed: number;
}

export interface RssSamples {
  /** [ms since sampling started, rss bytes] every intervalMs. */
  samples: [number, number][];
  peakRss: number;
  peakHeapUsed: number;
  /** VmHWM from /proc/self/status: the kernel's own peak RSS of this process since it started. */
  kernelPeakRss: number | null;
}

/** CPU ms so far of every thread of this process, from /proc/self/task (utime + stime, USER_HZ 100). */
export interface ThreadCpu {
  tid: number;
  name: string;
  ms: number;
}

function threadCpu(): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const raw = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      out.push({ tid: Number(tid), name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), ms: (Number(f[11]) + Number(f[12])) * 10 });
    } catch {
      // thread ended meanwhile
    }
  }
  return out;
}

function kernelPeakRss(): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function main() {
  const send = (msg: unknown) => process.send?.(msg);
  // Keep the SDK's own warnings, drop its info chatter.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const env = parseEnv({ ...process.env, LOG_LEVEL: 'silent', EXPORT_SWEEP_INTERVAL: process.env.EXPORT_SWEEP_INTERVAL ?? '0' });
  const address = env.TEMPORAL_ADDRESS!;
  const database = connectDatabase(env.DATABASE_URL!, { max: 10 });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(env) });
  const nativeConnection = await NativeConnection.connect({ address });
  const bundlePath = process.env.BENCH_WORKFLOW_BUNDLE!;
  const worker: Worker = await createWorker({
    connection: nativeConnection, client, database, env, taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE,
    // The compiled build's bundle (dist/workflow-bundle.js) has no source map: loaded as production loads it.
    workflowBundle: existsSync(`${bundlePath}.map`)
      ? { code: readFileSync(bundlePath, 'utf8'), sourceMap: readFileSync(`${bundlePath}.map`, 'utf8') }
      : { codePath: bundlePath },
    shutdownGraceTime: '2 seconds',
  });
  const running = worker.run();
  running.catch((err: unknown) => {
    process.stderr.write(`[worker] stopped with an error: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  });

  let sampler: { timer: NodeJS.Timeout; started: number; state: RssSamples } | undefined;

  process.on('message', (raw: ChildRequest) => void (async () => {
    switch (raw.type) {
      case 'usage': {
        const cpu = process.cpuUsage();
        const mem = process.memoryUsage();
        const usage: Usage = { user: cpu.user, system: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed };
        send({ id: raw.id, result: usage });
        return;
      }
      case 'threads':
        send({ id: raw.id, result: threadCpu() });
        return;
      case 'sample-start': {
        if (sampler) clearInterval(sampler.timer);
        const started = performance.now();
        const state: RssSamples = { samples: [], peakRss: 0, peakHeapUsed: 0, kernelPeakRss: null };
        const take = () => {
          const m = process.memoryUsage();
          state.samples.push([Math.round(performance.now() - started), m.rss]);
          state.peakRss = Math.max(state.peakRss, m.rss);
          state.peakHeapUsed = Math.max(state.peakHeapUsed, m.heapUsed);
        };
        take();
        sampler = { timer: setInterval(take, raw.intervalMs), started, state };
        send({ id: raw.id, result: null });
        return;
      }
      case 'sample-stop': {
        if (!sampler) return send({ id: raw.id, error: 'not sampling' });
        clearInterval(sampler.timer);
        const state = { ...sampler.state, kernelPeakRss: kernelPeakRss() };
        sampler = undefined;
        send({ id: raw.id, result: state });
        return;
      }
      case 'shutdown': {
        worker.shutdown();
        await running.catch(() => {});
        await nativeConnection.close();
        await connection.close();
        await database.close();
        send({ id: raw.id, result: null });
        process.exit(0);
      }
    }
  })());
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, rss: process.memoryUsage().rss });
}

main().catch((err: unknown) => {
  process.stderr.write(`[worker] failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
