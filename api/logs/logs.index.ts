import { areaRouter } from '../router.js';
import * as handlers from './logs.handlers.js';
import * as routes from './logs.routes.js';

export default areaRouter(routes, handlers, ['list']);
