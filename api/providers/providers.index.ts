import { createRouter } from '../router.js';
import * as handlers from './providers.handlers.js';
import * as routes from './providers.routes.js';

const router = createRouter().openapi(routes.list, handlers.list).openapi(routes.terms, handlers.terms);

export default router;
