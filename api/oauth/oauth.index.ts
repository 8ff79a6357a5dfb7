import { createRouter } from '../router.js';
import * as handlers from './oauth.handlers.js';
import * as routes from './oauth.routes.js';

// The callback has no bearer token (api/app.ts lets it through): the single-use state authenticates it.
const router = createRouter();
router.openapi(routes.oauthUrl, handlers.oauthUrl).openapi(routes.callback, handlers.callback);

export default router;
