import type { Client } from '@temporalio/client';
import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import type { Env, Role } from '../lib/env.js';

/** What the API needs from the outside world; the entry point builds it, tests hand in their own. */
export interface AppDeps {
  database: Database;
  env: Env;
  logger?: Logger;
  /** Used by the routes that start or describe workflows; the read-side routes work without it. */
  temporal?: {
    client: Client;
    /** Base URL of the Temporal Web UI, e.g. http://localhost:8233; when set, log rows link to their run. */
    uiUrl?: string;
    namespace: string;
    taskQueue: string;
  };
}

/** Who is calling, set by the bearer-token middleware (api/auth.ts). */
export interface AuthContext {
  role: Role;
  /** Set for tenant-scoped tokens: the only tenant this caller may touch. */
  tenant?: string;
  /** Readable caller id for audit and log entries, e.g. `admin#2` or `backend#1:jan@bedrijf.nl`. Never the token. */
  actor: string;
}

export interface AppVariables {
  requestId: string;
  logger: Logger;
  deps: AppDeps;
  auth: AuthContext;
}

export interface AppBindings {
  Variables: AppVariables;
}

export type AppOpenAPI = OpenAPIHono<AppBindings>;

/** Typed handler for a route made with `createRoute` (starter habit: handlers live in `<area>.handlers.ts`). */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
