import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeDefinitions } from '../../lib/search-attributes.js';
import type { DevServer } from './temporal-server.js';

/**
 * Last resort when no `temporal` CLI can be found or installed: the SDK downloads its own dev server.
 * That needs the internet, which this project's machines do not have; it is here for machines that do.
 */
export async function startSdkDevServer(opts: { port?: number; uiPort?: number; dbFile?: string }): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(opts.port ? { port: opts.port } : {}),
      ui: true,
      ...(opts.uiPort ? { uiPort: opts.uiPort } : {}),
      ...(opts.dbFile ? { dbFilename: opts.dbFile } : {}),
      searchAttributes: Object.keys(searchAttributeDefinitions).map((name) => ({ name, type: 'KEYWORD' as never })),
    },
  });
  return { address: env.address, uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined, stop: () => env.teardown() };
}
