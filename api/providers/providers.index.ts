import { areaRouter } from '../router.js';
import * as handlers from './providers.handlers.js';
import * as routes from './providers.routes.js';

export default areaRouter(routes, handlers, ['list', 'terms']);
