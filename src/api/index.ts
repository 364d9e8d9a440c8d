/**
 * @module api
 * The Docker Engine REST API over the engine library: `skiff system service` starts it.
 */
export { startService, DEFAULT_URI, type ServiceOptions, type RunningService } from './server.js';
