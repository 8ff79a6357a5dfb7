import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import { validationIssues } from './errors.js';
import type { AppBindings, AppOpenAPI } from './types.js';

/** Request validation failures (params, query, body) answer 400 with the zod issues, the same shape as onError. */
export const validationHook: Hook<unknown, AppBindings, string, Response | undefined> = (result, c) => {
  if (!result.success) {
    return c.json({ error: 'validation' as const, issues: validationIssues(result.error) }, 400);
  }
  return undefined;
};

/** A router for one area (`<area>.index.ts`), mounted under /v1 by `registerRoutes`. */
export function createRouter(): AppOpenAPI {
  return new OpenAPIHono<AppBindings>({ strict: false, defaultHook: validationHook });
}
