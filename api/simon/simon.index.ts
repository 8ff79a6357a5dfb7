import { areaRouter } from '../router.js';
import * as handlers from './simon.handlers.js';
import * as routes from './simon.routes.js';

export default areaRouter(routes, handlers, [
  'listCustomers', 'listCustomerWorkAddresses', 'addWorkAddress', 'listWorkAddresses', 'listArticles', 'listArticleGroups', 'listWorkOrders',
]);
