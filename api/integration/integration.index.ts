import { areaRouter } from '../router.js';
import * as handlers from './integration.handlers.js';
import * as routes from './integration.routes.js';

export default areaRouter(routes, handlers, ['getStatus']);
