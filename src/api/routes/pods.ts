/**
 * Podman's libpod pod endpoints (`/libpod/pods/*`, the shapes of Podman 4.3's bindings) over the
 * pod engine, so `podman --remote pod ...` works against the service.
 */
import type { Router } from '../router.js';
import { boolParam, filtersParam, mustRes, readJson, sendEmpty, sendJson, type Call } from '../call.js';
import { invalidArgument } from '../../core/errdefs.js';
import { asObject, bodyObject, optBool, optString, optStringArray, optStringMap } from '../body.js';
import type { PortRequest } from '../../engine/networks/types.js';
import type { PodCreateRequest, PodSummary } from '../../engine/pods/types.js';

/** PodSpecGenerator's `portmappings`: [{host_ip, host_port, container_port, protocol, range}]. */
function portMappings(body: Record<string, unknown>): PortRequest[] {
  const raw = body.portmappings ?? [];
  if (!Array.isArray(raw)) throw invalidArgument('portmappings: expected an array');
  return raw.flatMap((x, i) => {
    const m = asObject(x, `portmappings[${i}]`);
    const containerPort = Number(m.container_port);
    if (!Number.isInteger(containerPort) || containerPort <= 0) throw invalidArgument(`portmappings[${i}].container_port: expected a port`);
    const protocols = String(m.protocol || 'tcp').split(',');
    return protocols.map((protocol) => {
      if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw invalidArgument(`portmappings[${i}].protocol: unknown protocol ${protocol}`);
      return {
        hostIp: String(m.host_ip ?? ''),
        hostPort: Number(m.host_port ?? 0),
        containerPort,
        range: Number(m.range ?? 1) || 1,
        protocol: protocol as PortRequest['protocol'],
      };
    });
  });
}

function createRequest(body: Record<string, unknown>): PodCreateRequest {
  const share = optStringArray(body, 'shared_namespaces');
  const netns = asObject(body.netns, 'netns');
  const mode = optString(netns, 'nsmode', 'netns.nsmode');
  const networks = Object.keys(asObject(body.Networks, 'Networks'));
  const network = mode === 'host' || mode === 'none' ? mode : networks[0];
  return {
    ...(optString(body, 'name') ? { name: optString(body, 'name')! } : {}),
    ...(optString(body, 'hostname') ? { hostname: optString(body, 'hostname')! } : {}),
    labels: optStringMap(body, 'labels') ?? {},
    ...(share?.length ? { share: share.join(',') } : {}),
    infra: !optBool(body, 'no_infra'),
    ...(optString(body, 'infra_image') ? { infraImage: optString(body, 'infra_image')! } : {}),
    ...(optStringArray(body, 'infra_command')?.length ? { infraCommand: optStringArray(body, 'infra_command')! } : {}),
    ...(optString(body, 'infra_name') ? { infraName: optString(body, 'infra_name')! } : {}),
    ...(network ? { network } : {}),
    publish: portMappings(body),
    addHosts: optStringArray(body, 'hostadd') ?? [],
    dns: optStringArray(body, 'dns_server') ?? [],
    dnsSearch: optStringArray(body, 'dns_search') ?? [],
    dnsOptions: optStringArray(body, 'dns_option') ?? [],
  };
}

/** Podman's ListPodsReport. */
function listDoc(p: PodSummary) {
  return {
    Cgroup: '',
    Containers: p.Containers.map((c) => ({ Id: c.Id, Names: c.Names, Status: c.Status })),
    Created: p.Created,
    Id: p.Id,
    InfraId: p.InfraId,
    Name: p.Name,
    Namespace: '',
    Networks: p.Networks,
    Status: p.Status,
    Labels: p.Labels,
  };
}

const time = (c: Call) => {
  const t = c.query.get('t');
  return t === null || t === '' ? undefined : Number(t);
};

export function registerPodRoutes(r: Router): void {
  r.get('/libpod/pods/json', async (c) => {
    const f = filtersParam(c.query);
    sendJson(mustRes(c), 200, (await c.engine.pods.list(f)).map(listDoc));
  });

  r.post('/libpod/pods/create', async (c) => {
    const id = await c.engine.pods.create(createRequest(bodyObject(await readJson(c.req))));
    sendJson(mustRes(c), 201, { Id: id });
  });

  r.post('/libpod/pods/prune', async (c) => {
    sendJson(mustRes(c), 200, (await c.engine.pods.prune()).map((id) => ({ Err: null, Id: id })));
  });

  r.get('/libpod/pods/{name}/json', async (c) => {
    sendJson(mustRes(c), 200, await c.engine.pods.inspect(c.params.name!));
  });

  r.get('/libpod/pods/{name}/exists', (c) => {
    sendEmpty(mustRes(c), c.engine.pods.exists(c.params.name!) ? 204 : 404);
  });

  r.get('/libpod/pods/{name}/top', async (c) => {
    const args = c.query.get('ps_args');
    sendJson(mustRes(c), 200, await c.engine.pods.top(c.params.name!, args ? args.split(/\s+/).filter(Boolean) : []));
  });

  const verb = (name: string, act: (c: Call, ref: string) => Promise<{ Id: string; Errs: string[] }>) =>
    r.post(`/libpod/pods/{name}/${name}`, async (c) => {
      sendJson(mustRes(c), 200, await act(c, c.params.name!));
    });
  verb('start', (c, ref) => c.engine.pods.start(ref));
  verb('stop', (c, ref) => c.engine.pods.stop(ref, time(c)));
  verb('restart', (c, ref) => c.engine.pods.restart(ref, time(c)));
  verb('kill', (c, ref) => c.engine.pods.kill(ref, c.query.get('signal') || undefined));
  verb('pause', (c, ref) => c.engine.pods.pause(ref));
  verb('unpause', (c, ref) => c.engine.pods.unpause(ref));

  r.delete('/libpod/pods/{name}', async (c) => {
    const id = await c.engine.pods.remove(c.params.name!, { force: boolParam(c.query, 'force') });
    sendJson(mustRes(c), 200, { Err: null, Id: id, RemovedCtrs: {} });
  });
}
