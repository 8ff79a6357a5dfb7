import { areaRouter } from '../router.js';
import * as handlers from './simon-tables.handlers.js';
import * as routes from './simon-tables.routes.js';

export default areaRouter(routes, handlers, ['list']);
