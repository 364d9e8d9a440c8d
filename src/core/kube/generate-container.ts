/**
 * One skiff container → one entry of a Pod's `spec.containers`, and the pod volumes its mounts need.
 * Only what differs from the image is written (command, env, user, workdir), as Podman does, so
 * the manifest stays what the user asked for rather than the image's copy.
 */
import type { HealthConfig } from '../images/oci.js';
import { parseBytes } from '../runtime/units.js';
import { cpuQuantity, memoryQuantity } from './generate-quantity.js';
import type { KubeContainerSource, KubePort } from './generate-types.js';

type Obj = Record<string, unknown>;

/** A pod-level volume, keyed by its name so that containers sharing it declare it once. */
export interface PodVolume {
  name: string;
  source: Obj;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Kubernetes' `command` replaces the image's ENTRYPOINT and `args` its CMD. Podman writes the
 * command as `command` when there is no entrypoint at all (`podman run IMG httpd -f` gives
 * `command: [httpd, -f]`), and as `args` beside the unchanged entrypoint otherwise.
 */
export function commandAndArgs(c: KubeContainerSource): { command?: string[]; args?: string[] } {
  const imgEp = c.imageConfig.Entrypoint ?? [];
  const imgCmd = c.imageConfig.Cmd ?? [];
  const ep = c.opts.entrypoint === undefined ? imgEp : c.opts.entrypoint.filter((w, i) => !(i === 0 && w === '' && c.opts.entrypoint!.length === 1));
  // Docker's --entrypoint drops the image's Cmd as well.
  const cmd = c.opts.command?.length ? c.opts.command : c.opts.entrypoint !== undefined ? [] : imgCmd;
  if (same(ep, imgEp)) {
    if (same(cmd, imgCmd)) return {};
    if (!ep.length) return { command: cmd };
    // `args: []` means "not set" to Kubernetes: an emptied Cmd is an explicit command alone.
    return cmd.length ? { args: cmd } : { command: ep };
  }
  if (!ep.length) return cmd.length ? { command: cmd } : {};
  return { command: ep, ...(cmd.length ? { args: cmd } : {}) };
}

function envOf(c: KubeContainerSource): { name: string; value: string }[] | undefined {
  const image = new Map<string, string>();
  for (const kv of c.imageConfig.Env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) image.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const mine = new Map<string, string>();
  for (const kv of [...(c.opts.envFile ?? []), ...(c.opts.env ?? [])]) {
    const i = kv.indexOf('=');
    if (i > 0) mine.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const out = [...mine].filter(([k, v]) => image.get(k) !== v).map(([name, value]) => ({ name, value }));
  return out.length ? out : undefined;
}

/** `-p` ports, one entry per port of a range; hostPort only when fixed, hostIP only when bound to one. */
export function containerPorts(ports: readonly KubePort[]): Obj[] {
  const out: Obj[] = [];
  for (const p of ports) {
    for (let i = 0; i < Math.max(1, p.range); i++) {
      out.push({
        containerPort: p.containerPort + i,
        ...(p.hostPort ? { hostPort: p.hostPort + i } : {}),
        ...(p.hostIp && p.hostIp !== '0.0.0.0' && p.hostIp !== '::' ? { hostIP: p.hostIp } : {}),
        ...(p.protocol !== 'tcp' ? { protocol: p.protocol.toUpperCase() } : {}),
      });
    }
  }
  return out;
}

function resourcesOf(c: KubeContainerSource): Obj | undefined {
  const r = c.opts.resources ?? {};
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const cpus = r.cpus ?? (r.cpuQuota && r.cpuQuota > 0 ? r.cpuQuota / (r.cpuPeriod || 100_000) : undefined);
  if (cpus) limits.cpu = cpuQuantity(cpus);
  if (r.memory && r.memory > 0) limits.memory = memoryQuantity(r.memory);
  if (r.memoryReservation && r.memoryReservation > 0) requests.memory = memoryQuantity(r.memoryReservation);
  const out: Obj = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}

/** Kubernetes names capabilities without the `CAP_` prefix (`NET_ADMIN`, or `ALL`). */
const capName = (c: string) => c.toUpperCase().replace(/^CAP_/, '');

function securityContextOf(c: KubeContainerSource): Obj | undefined {
  const o = c.opts;
  const sc: Obj = {};
  const add = (o.capAdd ?? []).map(capName);
  const drop = (o.capDrop ?? []).map(capName);
  if (add.length || drop.length) sc.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  if (o.privileged) sc.privileged = true;
  if (o.readOnly) sc.readOnlyRootFilesystem = true;
  if (o.security?.noNewPrivileges) sc.allowPrivilegeEscalation = false;
  // Kubernetes takes numeric ids only; a user name stays the image's business.
  const user = o.user !== undefined && o.user !== c.imageConfig.User ? o.user : undefined;
  const m = user !== undefined ? /^(\d+)(?::(\d+))?$/.exec(user) : null;
  if (m) {
    sc.runAsUser = Number(m[1]);
    if (m[2] !== undefined) sc.runAsGroup = Number(m[2]);
  }
  return Object.keys(sc).length ? sc : undefined;
}

const seconds = (ns: number | undefined, dflt: number) => (ns && ns > 0 ? Math.max(1, Math.ceil(ns / 1e9)) : dflt);

/**
 * The healthcheck as an exec liveness probe (Podman's reading: `kube play` turns it back into a
 * healthcheck with the same command, interval, timeout and retries). Docker's defaults: 30 s, 30 s, 3.
 */
export function livenessProbe(h: HealthConfig | undefined): Obj | undefined {
  const test = h?.Test ?? [];
  let command: string[];
  if (test[0] === 'CMD') command = test.slice(1);
  else if (test[0] === 'CMD-SHELL') command = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else return undefined; // NONE, or inherited from the image without a test
  if (!command.length) return undefined;
  const start = h?.StartPeriod && h.StartPeriod > 0 ? seconds(h.StartPeriod, 0) : 0;
  return {
    exec: { command },
    ...(start ? { initialDelaySeconds: start } : {}),
    periodSeconds: seconds(h?.Interval, 30),
    timeoutSeconds: seconds(h?.Timeout, 30),
    failureThreshold: h?.Retries && h.Retries > 0 ? h.Retries : 3,
  };
}

/** A volume name Kubernetes accepts (an RFC 1123 label). */
export function dnsLabel(s: string): string {
  const l = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (l || 'vol').slice(0, 63).replace(/-+$/, '');
}

/** A tmpfs is Kubernetes' memory-backed emptyDir; its `size=` is the dir's sizeLimit. */
function memoryDir(options: readonly string[]): Obj {
  const size = options.find((o) => o.startsWith('size='))?.slice(5);
  let bytes: number | undefined;
  try {
    bytes = size ? parseBytes(size) : undefined;
  } catch {
    bytes = undefined;
  }
  return { emptyDir: { medium: 'Memory', ...(bytes ? { sizeLimit: memoryQuantity(bytes) } : {}) } };
}

function mountsOf(c: KubeContainerSource, volumes: Map<string, PodVolume>): Obj[] {
  const out: Obj[] = [];
  const add = (name: string, source: Obj, mountPath: string, options: readonly string[] = []) => {
    if (!volumes.has(name)) volumes.set(name, { name, source });
    out.push({ mountPath, name, ...(options.includes('ro') || options.includes('readonly') ? { readOnly: true } : {}) });
  };
  let n = 0;
  for (const m of c.opts.mounts ?? []) {
    if (m.type === 'volume' && m.name && !m.anonymous) {
      add(`${dnsLabel(m.name)}-pvc`, { persistentVolumeClaim: { claimName: m.name } }, m.destination, m.options);
    } else if (m.type === 'volume') {
      add(`${dnsLabel(c.name)}-anon-${n++}`, { emptyDir: {} }, m.destination, m.options);
    } else if (m.type === 'bind') {
      // Podman's names: the host path with dashes, `-host-N`.
      add(`${dnsLabel(m.source).slice(0, 50)}-host-${n++}`, { hostPath: { path: m.source } }, m.destination, m.options);
    } else {
      add(`${dnsLabel(c.name)}-tmpfs-${n++}`, memoryDir(m.options ?? []), m.destination, m.options);
    }
  }
  for (const t of c.opts.tmpfs ?? []) {
    const [dest, opts = ''] = t.split(/:(.*)/s);
    add(`${dnsLabel(c.name)}-tmpfs-${n++}`, memoryDir(opts.split(',')), dest, opts.split(','));
  }
  return out;
}

/** The container's entry of `spec.containers`; its volumes are added to `volumes`. */
export function kubeContainer(c: KubeContainerSource, ports: readonly KubePort[], volumes: Map<string, PodVolume>): Obj {
  const o = c.opts;
  const env = envOf(c);
  const resources = resourcesOf(c);
  const securityContext = securityContextOf(c);
  const probe = livenessProbe(c.healthcheck);
  const portList = containerPorts(ports);
  const volumeMounts = mountsOf(c, volumes);
  return {
    name: c.name,
    image: c.image,
    ...commandAndArgs(c),
    ...(env ? { env } : {}),
    ...(o.workdir && o.workdir !== (c.imageConfig.WorkingDir || '/') ? { workingDir: o.workdir } : {}),
    ...(portList.length ? { ports: portList } : {}),
    ...(resources ? { resources } : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(probe ? { livenessProbe: probe } : {}),
    ...(volumeMounts.length ? { volumeMounts } : {}),
    ...(o.tty ? { tty: true } : {}),
    ...(o.stdinOpen ? { stdin: true } : {}),
  };
}
