/**
 * @module engine/compose/run
 * `compose run`'s one-off container: the service's configuration with the command line's
 * overrides. As in Docker Compose, a one-off publishes none of the service's ports unless
 * `--service-ports` says so, or only those `--publish` names; it has no `container_name`.
 */
import { invalidArgument } from '../../core/errdefs.js';
import { parsePortShort } from '../../core/compose/short-syntax.js';
import type { ServiceConfig } from '../../core/compose/types.js';

export interface OneOffOptions {
  command?: string[];
  /** `--entrypoint`: '' clears the image's. */
  entrypoint?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  user?: string;
  workdir?: string;
  tty: boolean;
  servicePorts?: boolean;
  /** `-p`, `--publish`: the port short syntax. */
  publish?: string[];
}

export function oneOffService(base: ServiceConfig, o: OneOffOptions): ServiceConfig {
  if (o.servicePorts && o.publish?.length) throw invalidArgument('--service-ports and --publish are incompatible');
  const ports = o.servicePorts ? (base.ports ?? []) : (o.publish ?? []).flatMap((p) => parsePortShort(p));
  const svc: ServiceConfig = {
    ...base,
    ports,
    tty: o.tty,
    stdin_open: true,
    labels: { ...(base.labels ?? {}), ...(o.labels ?? {}) },
    environment: { ...(base.environment ?? {}), ...(o.env ?? {}) },
    ...(o.command?.length ? { command: o.command } : {}),
    ...(o.entrypoint !== undefined ? { entrypoint: o.entrypoint === '' ? [] : [o.entrypoint] } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(o.workdir !== undefined ? { working_dir: o.workdir } : {}),
  };
  delete svc.container_name;
  return svc;
}
