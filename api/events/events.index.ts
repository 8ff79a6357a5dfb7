import { areaRouter } from '../router.js';
import * as handlers from './events.handlers.js';
import * as routes from './events.routes.js';

export default areaRouter(routes, handlers, [
  'createEndpoint', 'listEndpoints', 'updateEndpoint', 'deleteEndpoint', 'rotateSecret', 'listEvents', 'getEvent', 'redeliver',
]);
