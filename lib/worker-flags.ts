/**
 * The Node flags a worker process starts with (docs/import.md, "Worker memory"): a young generation of at most
 * 4 MB per semi-space instead of 16, so an import's short-lived garbage is collected young instead of growing the
 * heap. V8 reads this when the heap is set up, so it must be on the command line: `npm run worker`,
 * docker-compose.yml's worker and the bench's worker process use it (test/deploy/compose.test.ts checks them).
 * The heap's growth past live data is set at runtime in activities/worker.ts.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
