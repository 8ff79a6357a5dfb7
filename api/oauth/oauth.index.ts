import { areaRouter } from '../router.js';
import * as handlers from './oauth.handlers.js';
import * as routes from './oauth.routes.js';

// The callback has no bearer token (api/app.ts lets it through): the single-use state authenticates it.
export default areaRouter(routes, handlers, ['oauthUrl', 'callback']);
