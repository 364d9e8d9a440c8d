/**
 * @module engine/compose/labels
 * Docker Compose v2's labels and names: a project's containers, networks and volumes carry them,
 * so `docker compose` (and docker-compose v1 over the API service) see the same project, and
 * skiff finds its project state again from the engine alone.
 */
export const PROJECT = 'com.docker.compose.project';
export const SERVICE = 'com.docker.compose.service';
export const NUMBER = 'com.docker.compose.container-number';
export const ONEOFF = 'com.docker.compose.oneoff';
export const CONFIG_HASH = 'com.docker.compose.config-hash';
export const WORKING_DIR = 'com.docker.compose.project.working_dir';
export const CONFIG_FILES = 'com.docker.compose.project.config_files';
export const DEPENDS_ON = 'com.docker.compose.depends_on';
export const VERSION = 'com.docker.compose.version';
export const NETWORK = 'com.docker.compose.network';
export const VOLUME = 'com.docker.compose.volume';

/** The Docker Compose release whose labels and names skiff follows (written in `.version`). */
export const COMPOSE_VERSION = '2.29.7';

/** v2's container name (v1 used `project_service_1`). */
export function containerName(project: string, service: string, number: number): string {
  return `${project}-${service}-${number}`;
}
