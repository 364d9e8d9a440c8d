import type { Router } from '../router.js';
import { registerSystemRoutes } from './system.js';
import { registerContainerRoutes } from './containers.js';
import { registerExecRoutes } from './exec.js';
import { registerEventRoutes } from './events.js';
import { registerImageRoutes } from './images.js';
import { registerNetworkRoutes } from './networks.js';
import { registerVolumeRoutes } from './volumes.js';
import { registerAuthRoutes } from './auth.js';
import { registerBuildRoutes } from './build.js';
import { registerSwarmRoutes } from './swarm.js';
import { registerPodRoutes } from './pods.js';
import { registerKubeGenerateRoutes } from './kube-generate.js';

/** Every endpoint group; each file registers its own routes. */
export function registerRoutes(r: Router): Router {
  registerSystemRoutes(r);
  registerContainerRoutes(r);
  registerExecRoutes(r);
  registerEventRoutes(r);
  registerImageRoutes(r);
  registerNetworkRoutes(r);
  registerVolumeRoutes(r);
  registerAuthRoutes(r);
  registerBuildRoutes(r);
  registerSwarmRoutes(r);
  registerPodRoutes(r);
  registerKubeGenerateRoutes(r);
  return r;
}
