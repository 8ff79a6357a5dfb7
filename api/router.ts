import { OpenAPIHono, type Hook, type RouteConfig } from '@hono/zod-openapi';
import { validationIssues } from './errors.js';
import type { AppBindings, AppOpenAPI, AppRouteHandler } from './types.js';

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

/** The names of a module's exports that are routes made with `createRoute`. */
type RouteNames<M> = { [K in keyof M]: M[K] extends RouteConfig ? K : never }[keyof M] & string;

const isRoute = (value: unknown): value is RouteConfig =>
  typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'responses' in value;

/**
 * The router of one area (`<area>.index.ts`): each route `<area>.routes.ts` exports, with the handler of the same name
 * in `<area>.handlers.ts`, registered in the order named (the order of the OpenAPI document). The types pair each
 * route with its handler; a route the list leaves out throws at start-up, so none is defined and then forgotten.
 */
export function areaRouter<M extends object, const N extends readonly RouteNames<M>[]>(
  routes: M,
  handlers: { [K in N[number]]: AppRouteHandler<Extract<M[K], RouteConfig>> },
  names: N,
): AppOpenAPI {
  const forgotten = Object.entries(routes).filter(([name, value]) => isRoute(value) && !names.includes(name as RouteNames<M>));
  if (forgotten.length > 0) throw new Error(`Routes without a place in their router: ${forgotten.map(([name]) => name).join(', ')}`);
  const router = createRouter();
  for (const name of names) {
    // The pairing is checked by the parameter types above; openapi() cannot see it through the loop.
    router.openapi(routes[name] as RouteConfig, handlers[name]);
  }
  return router;
}
