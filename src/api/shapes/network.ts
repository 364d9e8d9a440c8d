/**
 * Docker's networks as the API shows them: skiff's default network is Docker's `bridge`, and
 * `host` and `none` exist as the network modes they stand for (clients expect all three;
 * testcontainers reads `bridge`'s gateway).
 */
import { createHash } from 'node:crypto';
import type { NetworkInspect } from '../../engine/networks/index.js';
import { invalidArgument } from '../../core/errdefs.js';

export const PREDEFINED = ['bridge', 'host', 'none'] as const;

const fixedId = (name: string) => createHash('sha256').update(`skiff-network-${name}`).digest('hex');

/** A network name or id from the client, as the engine knows it. */
export function engineNetworkName(ref: string, defaultNetwork: string): string {
  return ref === 'bridge' ? defaultNetwork : ref;
}

export function isModeNetwork(ref: string): boolean {
  return ref === 'host' || ref === 'none' || ref === fixedId('host') || ref === fixedId('none');
}

/** The `host` / `none` network documents. */
export function modeNetworkDoc(ref: string) {
  const name = ref === 'host' || ref === fixedId('host') ? 'host' : 'none';
  return {
    Name: name,
    Id: fixedId(name),
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: name === 'host' ? 'host' : 'null',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
  };
}

/**
 * The driver options a Docker client set or would expect: skiff's `isolate=true` is Docker's
 * behaviour for every bridge, so it is not shown (compose v1 recreates a network whose options
 * differ from its file's).
 */
function dockerOptions(options: Record<string, string>): Record<string, string> {
  const { isolate, ...rest } = options;
  return isolate === undefined || isolate === 'true' ? rest : { ...rest, isolate };
}

/** An engine network in Docker's shape; the default network is named `bridge`. */
export function networkDoc(n: NetworkInspect, defaultNetwork: string) {
  const isDefault = n.Name === defaultNetwork;
  const options = dockerOptions(n.Options);
  return {
    Name: isDefault ? 'bridge' : n.Name,
    Id: n.Id,
    Created: n.Created,
    Scope: n.Scope,
    Driver: n.Driver,
    EnableIPv6: n.EnableIPv6,
    IPAM: n.IPAM,
    Internal: n.Internal,
    Attachable: n.Attachable,
    Ingress: n.Ingress,
    ConfigFrom: n.ConfigFrom,
    ConfigOnly: n.ConfigOnly,
    Containers: n.Containers,
    Options: isDefault ? { ...options, 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': n.NetworkInterface } : options,
    Labels: n.Labels,
  };
}

type Doc = ReturnType<typeof modeNetworkDoc> | ReturnType<typeof networkDoc>;

const LIST_FILTERS = new Set(['name', 'id', 'driver', 'label', 'type', 'scope', 'dangling']);

/**
 * `GET /networks` filters over the Docker-shaped list (so `name=bridge` finds the default
 * network): name (substring), id (prefix), driver, label (`k` or `k=v`), type (builtin/custom), scope.
 */
export function filterNetworks(docs: Doc[], filters: Map<string, string[]>): Doc[] {
  for (const k of filters.keys()) if (!LIST_FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
  const any = (k: string, test: (v: string, d: Doc) => boolean) => (d: Doc) => {
    const vs = filters.get(k);
    return !vs?.length || vs.some((v) => test(v, d));
  };
  for (const t of filters.get('type') ?? []) if (t !== 'builtin' && t !== 'custom') throw invalidArgument(`invalid filter: 'type'='${t}'`);
  return docs
    .filter(any('name', (v, d) => d.Name.includes(v)))
    .filter(any('id', (v, d) => d.Id.startsWith(v)))
    .filter(any('driver', (v, d) => d.Driver === v))
    .filter(any('scope', (v, d) => d.Scope === v))
    .filter(any('type', (v, d) => (v === 'builtin') === (PREDEFINED as readonly string[]).includes(d.Name)))
    .filter(any('dangling', (v, d) => (v === 'true' || v === '1') === (Object.keys(d.Containers).length === 0 && !(PREDEFINED as readonly string[]).includes(d.Name))))
    .filter((d) =>
      (filters.get('label') ?? []).every((l) => {
        const [k, val] = l.split('=', 2) as [string, string | undefined];
        const labels = d.Labels as Record<string, string>;
        return k in labels && (val === undefined || labels[k] === val);
      }),
    );
}

/**
 * A container document's networks as a Docker client names them: the default network is
 * `bridge` (python3-docker and compose look containers up under that key).
 */
export function withBridgeName<T extends { NetworkSettings: { Networks: Record<string, unknown> } }>(doc: T, defaultNetwork: string): T {
  const nets = doc.NetworkSettings.Networks;
  if (!(defaultNetwork in nets)) return doc;
  const renamed = Object.fromEntries(Object.entries(nets).map(([k, v]) => [k === defaultNetwork ? 'bridge' : k, v]));
  return { ...doc, NetworkSettings: { ...doc.NetworkSettings, Networks: renamed } };
}
