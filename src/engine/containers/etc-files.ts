import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { generateHostname, generateHosts, generateResolvConf, parseAddHost } from '../../core/runtime/etc-files.js';
import type { RunFiles } from '../../core/runtime/create-options.js';
import type { ContainerRecord } from './types.js';

export interface NetworkFileOptions {
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

function atomicWrite(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}

/** /etc/hostname, /etc/hosts and /etc/resolv.conf for the container, written to its userdata dir. */
/** What the container's first bridge network gave it, for /etc/hosts and /etc/resolv.conf. */
export interface RunFilesNetwork {
  ip: string;
  ip6?: string;
  gateway?: string;
  /** aardvark-dns on a dns-enabled network. */
  dnsServers: string[];
  dnsSearch: string[];
}

export function writeRunFiles(
  c: ContainerRecord,
  userdata: string,
  hostname: string,
  net: NetworkFileOptions,
  bridge?: RunFilesNetwork,
  links: { name: string; ip: string }[] = [],
): RunFiles {
  mkdirSync(userdata, { recursive: true });
  const files: RunFiles = {
    hostname: join(userdata, 'hostname'),
    hosts: join(userdata, 'hosts'),
    resolvConf: join(userdata, 'resolv.conf'),
  };
  const hostNet = c.config.networkMode === 'host';
  atomicWrite(files.hostname!, generateHostname(hostname));
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // A host without resolv.conf: the generator falls back to public resolvers.
  }
  atomicWrite(
    files.resolvConf!,
    generateResolvConf({
      host: hostResolv,
      privateNetns: !hostNet,
      dns: net.dns?.length ? net.dns : bridge?.dnsServers,
      dnsSearch: net.dnsSearch?.length ? net.dnsSearch : bridge?.dnsSearch,
      dnsOptions: net.dnsOptions,
    }),
  );
  // Docker's `host-gateway`: the address the host has on the container's network (dockerd's
  // default bridge IP); with the host's network the host is loopback; without a network, nothing.
  const gateway = bridge?.gateway ?? (hostNet ? '127.0.0.1' : undefined);
  const addHosts = (net.addHosts ?? [])
    .map(parseAddHost)
    .flatMap((h) => (h.ip !== 'host-gateway' ? [h] : gateway ? [{ ...h, ip: gateway }] : []));
  let hosts = generateHosts({
    hostname,
    aliases: [c.name],
    ...(bridge ? { ip: bridge.ip, ...(bridge.ip6 ? { ip6: bridge.ip6 } : {}), ...(bridge.gateway ? { gateway: bridge.gateway } : {}) } : {}),
    extraHosts: [...links, ...addHosts],
  });
  if (hostNet) {
    try {
      // The host's names, and `--add-host` entries after them (dockerd and podman both keep those).
      const own = readFileSync('/etc/hosts', 'utf8');
      const extra = addHosts.map((h) => `${h.ip}\t${h.name}\n`);
      hosts = (own && !own.endsWith('\n') ? own + '\n' : own) + extra.join('');
    } catch {
      // keep the generated one
    }
  }
  atomicWrite(files.hosts!, hosts);
  return files;
}
