import type { Router } from '../router.js';
import { registerSystemRoutes } from './system.js';

/** Every endpoint group; each file registers its own routes. */
export function registerRoutes(r: Router): Router {
  registerSystemRoutes(r);
  return r;
}
