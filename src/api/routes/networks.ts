/** Networks: list, inspect, create, remove, prune, connect, disconnect (bridge networks through the engine). */
import type { Router } from '../router.js';
import { filtersParam, mustRes, readJson, sendEmpty, sendJson, type Call } from '../call.js';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import type { NetworkCreateOptions } from '../../engine/networks/index.js';
import { asObject, bodyObject, optBool, optString, optStringArray, optStringMap } from '../body.js';
import { PREDEFINED, engineNetworkName, filterNetworks, isModeNetwork, modeNetworkDoc, networkDoc } from '../shapes/network.js';

/** dockerd answers 403 for what the predefined networks cannot do. */
function forbidden(message: string): Error {
  return Object.assign(new EngineError('FailedPrecondition', message), { status: 403 });
}

const defaultNetwork = (c: Call) => c.engine.ctx.config.network.defaultNetwork;

/** Docker's bridge driver options that the engine has its own names for; other `com.docker.*` ones do not apply. */
function createOptions(body: Record<string, unknown>): NetworkCreateOptions {
  const name = optString(body, 'Name');
  if (!name) throw invalidArgument('network name is required (Name)');
  if ((PREDEFINED as readonly string[]).includes(name)) throw forbidden(`${name} is a pre-defined network and cannot be created`);
  const driver = optString(body, 'Driver') || 'bridge';
  const ipam = asObject(body.IPAM, 'IPAM');
  const configs = ipam.Config ?? [];
  if (!Array.isArray(configs)) throw invalidArgument('IPAM.Config: expected an array');
  // One IPv4 and one IPv6 config, told apart by their subnet (or gateway).
  let cfg: Record<string, unknown> = {};
  let cfg6: Record<string, unknown> = {};
  let at = 0;
  let at6 = 0;
  configs.forEach((raw, i) => {
    const c = asObject(raw, `IPAM.Config[${i}]`);
    const v6 = (optString(c, 'Subnet', `IPAM.Config[${i}].Subnet`) || optString(c, 'Gateway', `IPAM.Config[${i}].Gateway`) || '').includes(':');
    if (Object.keys(v6 ? cfg6 : cfg).length) throw invalidArgument('only one IPv4 and one IPv6 IPAM config are supported per network');
    if (v6) [cfg6, at6] = [c, i];
    else [cfg, at] = [c, i];
  });
  const raw = optStringMap(body, 'Options') ?? {};
  const options: Record<string, string> = {};
  let interfaceName: string | undefined;
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'com.docker.network.bridge.name') interfaceName = v;
    else if (k === 'com.docker.network.driver.mtu') options.mtu = v;
    else if (!k.startsWith('com.docker.')) options[k] = v;
  }
  return {
    name,
    driver,
    subnet: optString(cfg, 'Subnet', `IPAM.Config[${at}].Subnet`) || undefined,
    gateway: optString(cfg, 'Gateway', `IPAM.Config[${at}].Gateway`) || undefined,
    ipRange: optString(cfg, 'IPRange', `IPAM.Config[${at}].IPRange`) || undefined,
    subnet6: optString(cfg6, 'Subnet', `IPAM.Config[${at6}].Subnet`) || undefined,
    gateway6: optString(cfg6, 'Gateway', `IPAM.Config[${at6}].Gateway`) || undefined,
    internal: optBool(body, 'Internal'),
    ipv6: optBool(body, 'EnableIPv6'),
    labels: optStringMap(body, 'Labels') ?? {},
    options,
    ...(interfaceName ? { interfaceName } : {}),
  };
}

/** The network of a connect/disconnect, refused for host and none. */
function bridgeTarget(c: Call): string {
  const id = c.params.id!;
  if (isModeNetwork(id)) throw forbidden(`container cannot be connected to or disconnected from the ${modeNetworkDoc(id).Name} network`);
  return engineNetworkName(id, defaultNetwork(c));
}

export function registerNetworkRoutes(r: Router): void {
  r.get('/networks', (c) => {
    const dflt = defaultNetwork(c);
    const docs = [...c.engine.networks.list().map((n) => networkDoc(n, dflt)), modeNetworkDoc('host'), modeNetworkDoc('none')];
    sendJson(mustRes(c), 200, filterNetworks(docs, filtersParam(c.query)));
  });

  r.post('/networks/create', async (c) => {
    const opts = createOptions(bodyObject(await readJson(c.req)));
    const n = c.engine.networks.create(opts);
    sendJson(mustRes(c), 201, { Id: n.Id, Warning: '' });
  });

  r.post('/networks/prune', async (c) => {
    const removed = await c.engine.networks.prune(filtersParam(c.query));
    sendJson(mustRes(c), 200, { NetworksDeleted: removed });
  });

  // A network's name may hold a `/` (dockerd takes any name) and the docker CLI sends it unescaped: the id is the rest of the path, as dockerd's `{id:.+}`.
  r.get('/networks/{id:.+?}', (c) => {
    const id = c.params.id!;
    const doc = isModeNetwork(id) ? modeNetworkDoc(id) : networkDoc(c.engine.networks.inspect(engineNetworkName(id, defaultNetwork(c))), defaultNetwork(c));
    sendJson(mustRes(c), 200, doc);
  });

  r.delete('/networks/{id:.+?}', async (c) => {
    const id = c.params.id!;
    if (isModeNetwork(id) || id === 'bridge') throw forbidden(`${isModeNetwork(id) ? modeNetworkDoc(id).Name : id} is a pre-defined network and cannot be removed`);
    const n = c.engine.networks.inspect(id);
    if (n.Name === defaultNetwork(c)) throw forbidden('bridge is a pre-defined network and cannot be removed');
    await c.engine.networks.remove(n.Id);
    sendEmpty(mustRes(c), 204);
  });

  r.post('/networks/{id:.+?}/connect', async (c) => {
    const body = bodyObject(await readJson(c.req));
    const network = bridgeTarget(c);
    const container = optString(body, 'Container');
    if (!container) throw invalidArgument('Container is required');
    const ep = asObject(body.EndpointConfig, 'EndpointConfig');
    const ipam = asObject(ep.IPAMConfig, 'EndpointConfig.IPAMConfig');
    const ip = optString(ipam, 'IPv4Address', 'EndpointConfig.IPAMConfig.IPv4Address');
    const ip6 = optString(ipam, 'IPv6Address', 'EndpointConfig.IPAMConfig.IPv6Address');
    const mac = optString(ep, 'MacAddress', 'EndpointConfig.MacAddress');
    const aliases = optStringArray(ep, 'Aliases', 'EndpointConfig.Aliases');
    await c.engine.networks.connect(network, container, {
      ...(aliases?.length ? { aliases } : {}),
      ...(ip ? { ip } : {}),
      ...(ip6 ? { ip6 } : {}),
      ...(mac ? { mac } : {}),
    });
    sendEmpty(mustRes(c), 200);
  });

  r.post('/networks/{id:.+?}/disconnect', async (c) => {
    const body = bodyObject(await readJson(c.req));
    const network = bridgeTarget(c);
    const container = optString(body, 'Container');
    if (!container) throw invalidArgument('Container is required');
    await c.engine.networks.disconnect(network, container);
    sendEmpty(mustRes(c), 200);
  });
}
