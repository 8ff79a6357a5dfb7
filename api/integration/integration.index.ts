import { createRouter } from '../router.js';
import * as handlers from './integration.handlers.js';
import * as routes from './integration.routes.js';

const router = createRouter().openapi(routes.getStatus, handlers.getStatus);

export default router;
