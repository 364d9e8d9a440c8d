import type { Router } from '../router.js';
import { registerSystemRoutes } from './system.js';
import { registerImageRoutes } from './images.js';
import { registerNetworkRoutes } from './networks.js';
import { registerVolumeRoutes } from './volumes.js';
import { registerAuthRoutes } from './auth.js';

/** Every endpoint group; each file registers its own routes. */
export function registerRoutes(r: Router): Router {
  registerSystemRoutes(r);
  registerImageRoutes(r);
  registerNetworkRoutes(r);
  registerVolumeRoutes(r);
  registerAuthRoutes(r);
  return r;
}
