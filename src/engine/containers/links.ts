/**
 * Docker's legacy `--link NAME[:ALIAS]`. On the default network dockerd gives the linking
 * container the other's address in /etc/hosts and its ports and environment as `ALIAS_*`
 * variables; on a user network the alias is only a name for the other container, which dockerd
 * answers from its per-container DNS. aardvark-dns has no per-container names, so skiff writes
 * that name into /etc/hosts instead (resolvers that read /etc/hosts, as libc does, agree).
 */
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import { isActive } from './state.js';
import type { ContainerConfigRecord, ContainerRecord, LinkRequest } from './types.js';
import { resolveContainer } from './resolve.js';

/** At create: each link's container by id; dockerd's refusals. */
export function resolveLinks(cc: ContainerContext, links: LinkRequest[] | undefined, networkMode: string): ContainerConfigRecord['links'] {
  if (!links?.length) return undefined;
  if (networkMode === 'host') throw invalidArgument("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
  if (networkMode.startsWith('container:')) throw invalidArgument('conflicting options: container type network can\'t be used with links. This would result in undefined behavior');
  return links.map((l) => {
    let target: ContainerRecord;
    try {
      target = resolveContainer(cc, l.name);
    } catch (e) {
      throw invalidArgument(`could not get container for ${l.name}: ${(e as Error).message}`, e);
    }
    return { id: target.id, alias: l.alias };
  });
}

/** HostConfig.Links as dockerd shows them: `/OTHER:/ME/ALIAS`. */
export function linksDoc(cc: ContainerContext, c: ContainerRecord): string[] | null {
  const links = c.config.links ?? [];
  if (!links.length) return null;
  return links.map((l) => `/${cc.records.get(l.id)?.name ?? l.id}:/${c.name}/${l.alias}`);
}

interface Port {
  port: number;
  proto: string;
}

/** dockerd's order: by number, tcp first at the same number. */
function sortPorts(ports: Port[]): Port[] {
  return [...ports].sort((a, b) => a.port - b.port || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto)));
}

function exposedOf(c: ContainerRecord): Port[] {
  const keys = new Set([...Object.keys(c.config.imageConfig.ExposedPorts ?? {}), ...(c.config.exposedPorts ?? [])].map((p) => (p.includes('/') ? p : `${p}/tcp`)));
  return [...keys].map((k) => {
    const [port, proto] = k.split('/') as [string, string];
    return { port: Number(port), proto: proto.toLowerCase() };
  });
}

/** dockerd's link variables (links.go): `ALIAS_NAME`, `ALIAS_PORT…`, `ALIAS_ENV_…`. */
export function linkEnv(me: string, alias: string, ip: string, target: ContainerRecord): string[] {
  const prefix = alias.toUpperCase().replace(/-/g, '_');
  const env = [`${prefix}_NAME=/${me}/${alias}`];
  const ports = sortPorts(exposedOf(target));
  if (ports[0]) env.push(`${prefix}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
  for (const p of ports) {
    const k = `${prefix}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    env.push(`${k}=${p.proto}://${ip}:${p.port}`, `${k}_ADDR=${ip}`, `${k}_PORT=${p.port}`, `${k}_PROTO=${p.proto}`);
  }
  for (const e of [...(target.config.imageConfig.Env ?? []), ...(target.config.opts.env ?? [])]) {
    const i = e.indexOf('=');
    if (i < 0) continue;
    const key = e.slice(0, i);
    // dockerd leaves out what a build sets for every image.
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${prefix}_ENV_${key}=${e.slice(i + 1)}`);
  }
  return env;
}

/**
 * At start: the environment and /etc/hosts lines of every link, from each linked container's
 * address on the network this one is on (that container must run, as dockerd requires).
 */
export function linkRunInputs(cc: ContainerContext, c: ContainerRecord): { env: string[]; hosts: { name: string; ip: string }[] } {
  const env: string[] = [];
  const hosts: { name: string; ip: string }[] = [];
  const mine = Object.keys(c.config.networks ?? {});
  const onDefault = mine[0] === cc.ctx.config.network.defaultNetwork;
  for (const l of c.config.links ?? []) {
    const target = cc.records.get(l.id);
    const name = target?.name ?? l.id;
    if (!target || !isActive(target.state.status)) throw failedPrecondition(`Cannot link to a non running container: /${name} AS /${c.name}/${l.alias}`);
    const a = target.state.net?.attachments.find((x) => mine.includes(x.network));
    if (!a) continue;
    if (onDefault && a.network === mine[0]) {
      env.push(...linkEnv(c.name, l.alias, a.ip, target));
      hosts.push({ ip: a.ip, name: [...new Set([l.alias, target.id.slice(0, 12), name])].join(' ') });
    } else {
      hosts.push({ ip: a.ip, name: l.alias });
    }
  }
  return { env, hosts };
}
