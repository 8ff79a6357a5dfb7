import { spawn, type ChildProcess } from 'node:child_process';
import { WORKER_NODE_FLAGS } from '../lib/worker-flags.js';
import path from 'node:path';
import { projectRoot } from '../scripts/local/temporal-server.js';
import type { ChildRequest, RssSamples, ThreadCpu, Usage } from './worker-child.js';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Parent-side handle on bench/worker-child.ts: one real worker process with its own CPU and memory figures. */
export class WorkerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(private readonly child: ChildProcess, readonly startRss: number) {
    child.on('message', (msg: { id?: number; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    child.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`worker process exited with code ${code}`));
      this.pending.clear();
    });
  }

  /** `script`: the node arguments that run the worker child (bench/build.ts: compiled, or under tsx). */
  static async start(script: string[], env: Record<string, string>): Promise<WorkerProcess> {
    // BENCH_CPU_PROFILE=<dir>: V8 writes a .cpuprofile of each worker process there when it exits (bench/profile-summary.ts reads it).
    const profileDir = process.env.BENCH_CPU_PROFILE;
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
    // The production worker's Node flags (lib/worker-flags.ts), so its memory is measured as it runs.
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...profile, ...script], {
      cwd: projectRoot,
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const startRss = await new Promise<number>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker process exited with code ${code} before it was ready`));
      child.once('exit', onExit);
      child.on('message', (msg: { ready?: boolean; rss?: number }) => {
        if (msg.ready) {
          child.off('exit', onExit);
          resolve(msg.rss ?? 0);
        }
      });
    });
    return new WorkerProcess(child, startRss);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private request<T>(req: Distribute<ChildRequest>): Promise<T> {
    if (this.exited) return Promise.reject(new Error('worker process has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  usage(): Promise<Usage> {
    return this.request<Usage>({ type: 'usage' });
  }

  /** CPU ms so far per thread of the worker process. */
  threads(): Promise<ThreadCpu[]> {
    return this.request<ThreadCpu[]>({ type: 'threads' });
  }

  /**
   * Where the worker's CPU went between two `threads()` snapshots: the main thread (activities, the SDK's JS side),
   * the Temporal core's Rust threads (tokio), the busiest other thread (by elimination the workflow thread: V8 and
   * libuv helpers are small), and the rest.
   */
  static threadSplit(before: ThreadCpu[], after: ThreadCpu[], pid: number): { main: number; workflowThread: number; rustCore: number; other: number } {
    const start = new Map(before.map((t) => [t.tid, t.ms]));
    const deltas = after.map((t) => ({ ...t, ms: t.ms - (start.get(t.tid) ?? 0) }));
    const main = deltas.find((t) => t.tid === pid)?.ms ?? 0;
    const rust = deltas.filter((t) => t.tid !== pid && t.name !== 'node');
    const js = deltas.filter((t) => t.tid !== pid && t.name === 'node').sort((a, b) => b.ms - a.ms);
    const workflowThread = js[0]?.ms ?? 0;
    return { main, workflowThread, rustCore: rust.reduce((s, t) => s + t.ms, 0), other: js.slice(1).reduce((s, t) => s + t.ms, 0) };
  }

  /** CPU ms (user + system) used by the worker process so far. */
  async cpuMs(): Promise<number> {
    const u = await this.usage();
    return (u.user + u.system) / 1000;
  }

  startSampling(intervalMs = 100): Promise<void> {
    return this.request<void>({ type: 'sample-start', intervalMs });
  }

  stopSampling(): Promise<RssSamples> {
    return this.request<RssSamples>({ type: 'sample-stop' });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await Promise.race([this.request<void>({ type: 'shutdown' }).catch(() => {}), exited]);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
}
