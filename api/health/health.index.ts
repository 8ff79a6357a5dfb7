import { areaRouter } from '../router.js';
import * as handlers from './health.handlers.js';
import * as routes from './health.routes.js';

/** `/v1/health` and `/v1/ready` for load balancers and container health checks; public (api/app.ts publicPaths). */
export default areaRouter(routes, handlers, ['health', 'ready']);
