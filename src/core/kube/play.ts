/**
 * @module core/kube/play
 * Kubernetes YAML as `kube play` reads it, measured against Podman 4.3.1: a Deployment's
 * replicas are pods `<name>-pod-N` (N from 0), containers `<pod>-<container>`, a container port
 * without a hostPort is published on the same host port, a Service publishes nothing, the pod's
 * hostname is its name, restartPolicy defaults to Always. Pure: YAML text in, a plan out.
 */
import { parseAllDocuments } from 'yaml';
import { invalidArgument } from '../errdefs.js';
import { checkFields, KINDS } from './play-fields.js';
import type { KubeContainer, KubeFileSet, KubeHealth, KubeMount, KubePlan, KubePod } from './play-types.js';

export type * from './play-types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** Every document of a multi-document YAML stream (empty ones dropped). */
export function parseManifests(text: string): Obj[] {
  const out: Obj[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) throw invalidArgument(`kube play: ${d.errors[0]!.message}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('kube play: a document is not a mapping');
    // A `kind: List` (what some tools write) holds its documents in items.
    if ((v as Obj).kind === 'List') out.push(...list((v as Obj).items));
    else out.push(v as Obj);
  }
  return out;
}

/** A Kubernetes quantity (`64Mi`, `1G`, `500m`, `0.5`) as a number of units. */
export function parseQuantity(q: unknown, what: string): number {
  const s = String(q).trim();
  const m = /^([0-9.]+(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?$/.exec(s);
  if (!m) throw invalidArgument(`kube play: ${what}: invalid quantity "${s}"`);
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3,
  };
  return n * (m[2] ? mult[m[2]]! : 1);
}

interface Sources {
  configMaps: Map<string, Record<string, Buffer>>;
  secrets: Map<string, Record<string, Buffer>>;
  /** Every reference optional (kube down reads names only). */
  lenient: boolean;
}

function dataOf(doc: Obj, kind: 'ConfigMap' | 'Secret'): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const b64 = kind === 'Secret' ? obj(doc.data) : obj(doc.binaryData);
  for (const [k, v] of Object.entries(b64)) out[k] = Buffer.from(String(v), 'base64');
  const plain = kind === 'Secret' ? obj(doc.stringData) : obj(doc.data);
  for (const [k, v] of Object.entries(plain)) out[k] = Buffer.from(String(v));
  return out;
}

function lookup(src: Sources, kind: 'configMap' | 'secret', name: string, optional: boolean): Record<string, Buffer> | undefined {
  const m = (kind === 'configMap' ? src.configMaps : src.secrets).get(name);
  if (!m && !optional && !src.lenient) throw invalidArgument(`kube play: ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} "${name}" not found in the YAML or --configmap files`);
  return m;
}

function envOf(c: Obj, src: Sources, at: string): string[] {
  const env: string[] = [];
  for (const f of list(c.envFrom)) {
    const prefix = str(f.prefix) ?? '';
    const ref = f.configMapRef ? ['configMap', obj(f.configMapRef)] as const : ['secret', obj(f.secretRef)] as const;
    const data = lookup(src, ref[0], String(ref[1].name), ref[1].optional === true);
    for (const [k, v] of Object.entries(data ?? {})) env.push(`${prefix}${k}=${v.toString()}`);
  }
  for (const [i, e] of list(c.env).entries()) {
    const name = str(e.name);
    if (!name) throw invalidArgument(`kube play: ${at}.env[${i}].name is required`);
    if (e.valueFrom === undefined) {
      env.push(`${name}=${str(e.value) ?? ''}`);
      continue;
    }
    const vf = obj(e.valueFrom);
    const [kind, ref] = vf.configMapKeyRef ? ['configMap', obj(vf.configMapKeyRef)] as const : ['secret', obj(vf.secretKeyRef)] as const;
    const data = lookup(src, kind, String(ref.name), ref.optional === true);
    const v = data?.[String(ref.key)];
    if (v === undefined) {
      if (ref.optional === true || src.lenient) continue;
      throw invalidArgument(`kube play: ${at}.env[${i}]: key "${String(ref.key)}" not found in ${kind} "${String(ref.name)}"`);
    }
    env.push(`${name}=${v.toString()}`);
  }
  return env;
}

function probe(p: Obj | undefined, liveness: boolean): KubeHealth | undefined {
  if (!p) return undefined;
  let test: string[];
  if (p.exec) test = ['CMD', ...strs(obj(p.exec).command)];
  else if (p.httpGet) {
    const h = obj(p.httpGet);
    const url = `${String(h.scheme ?? 'HTTP').toLowerCase()}://${String(h.host ?? 'localhost')}:${String(h.port)}${String(h.path ?? '/')}`;
    // Images rarely carry curl (Podman's choice); busybox's wget is tried first.
    test = ['CMD-SHELL', `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`];
  } else if (p.tcpSocket) {
    const t = obj(p.tcpSocket);
    test = ['CMD-SHELL', `nc -z ${String(t.host ?? 'localhost')} ${String(t.port)}`];
  } else return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const h: KubeHealth = { test };
  const period = num(p.periodSeconds);
  if (period !== undefined) h.intervalSec = period;
  const timeout = num(p.timeoutSeconds);
  if (timeout !== undefined) h.timeoutSec = timeout;
  const delay = num(p.initialDelaySeconds);
  if (delay !== undefined) h.startPeriodSec = delay;
  const retries = num(p.failureThreshold);
  if (retries !== undefined) h.retries = retries;
  if (liveness) h.onFailure = 'restart';
  return h;
}

interface PodCtx {
  pod: string;
  volumes: Map<string, Obj>;
  src: Sources;
  fileSets: KubeFileSet[];
  scratch: Set<string>;
  security: Obj;
}

/** A ConfigMap or Secret volume's files (its `items`, or every key). */
function fileSet(dir: string, data: Record<string, Buffer>, v: Obj, lenient: boolean): KubeFileSet {
  const mode = typeof v.defaultMode === 'number' ? v.defaultMode : 0o644;
  const items = list(v.items);
  const files = items.length
    ? items.map((it) => {
      const d = data[String(it.key)] ?? (lenient ? Buffer.alloc(0) : undefined);
      if (!d) throw invalidArgument(`kube play: volume ${dir}: key "${String(it.key)}" not found`);
      return { path: String(it.path ?? it.key), data: d, mode: typeof it.mode === 'number' ? it.mode : mode };
    })
    : Object.entries(data).map(([k, d]) => ({ path: k, data: d, mode }));
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw invalidArgument(`kube play: volume ${dir}: item path "${f.path}" must be relative, without ..`);
  }
  return { dir, files };
}

function mountOf(pc: PodCtx, m: Obj, at: string): KubeMount {
  const name = String(m.name);
  const target = str(m.mountPath);
  if (!target?.startsWith('/')) throw invalidArgument(`kube play: ${at}.mountPath must be an absolute path`);
  const v = pc.volumes.get(name);
  if (!v) throw invalidArgument(`kube play: ${at}: no volume named "${name}" in the pod's volumes`);
  const readOnly = m.readOnly === true;
  if (v.persistentVolumeClaim) {
    const claim = obj(v.persistentVolumeClaim);
    return { kind: 'volume', volume: String(claim.claimName), target, readOnly: readOnly || claim.readOnly === true };
  }
  if (v.hostPath) {
    const h = obj(v.hostPath);
    const path = String(h.path);
    if (!path.startsWith('/')) throw invalidArgument(`kube play: volume ${name}: hostPath.path must be absolute`);
    return { kind: 'bind', source: path, target, readOnly, create: h.type === 'DirectoryOrCreate' };
  }
  if (v.emptyDir) {
    const e = obj(v.emptyDir);
    if (e.medium === 'Memory') {
      return { kind: 'tmpfs', target, ...(e.sizeLimit !== undefined ? { sizeBytes: parseQuantity(e.sizeLimit, `volume ${name}.emptyDir.sizeLimit`) } : {}) };
    }
    const vol = `${pc.pod}-${name}`;
    pc.scratch.add(vol);
    return { kind: 'volume', volume: vol, target, readOnly };
  }
  const isSecret = v.secret !== undefined;
  const def = obj(isSecret ? v.secret : v.configMap);
  if (!isSecret && v.configMap === undefined) throw invalidArgument(`kube play: volume ${name} has no supported source`);
  if (!pc.fileSets.some((f) => f.dir === name)) {
    const data = lookup(pc.src, isSecret ? 'secret' : 'configMap', String(isSecret ? def.secretName : def.name), def.optional === true);
    pc.fileSets.push(fileSet(name, data ?? {}, def, pc.src.lenient));
  }
  return { kind: 'files', dir: name, target };
}

function containerOf(pc: PodCtx, c: Obj, at: string): KubeContainer {
  const name = str(c.name);
  if (!name) throw invalidArgument(`kube play: ${at}.name is required`);
  const image = str(c.image);
  if (!image) throw invalidArgument(`kube play: ${at}.image is required`);
  const out: KubeContainer = { name: `${pc.pod}-${name}`, image, env: envOf(c, pc.src, at), publish: [], mounts: [] };
  if (c.imagePullPolicy) out.pullPolicy = String(c.imagePullPolicy);
  // The kubelet's rule: `command` replaces the ENTRYPOINT and with it the image's CMD; `args` the CMD.
  if (c.command !== undefined) {
    out.entrypoint = strs(c.command);
    out.command = strs(c.args);
  } else if (c.args !== undefined) out.command = strs(c.args);
  if (c.workingDir) out.workdir = String(c.workingDir);
  for (const p of list(c.ports)) {
    const cp = Number(p.containerPort);
    if (!Number.isInteger(cp) || cp < 1) throw invalidArgument(`kube play: ${at}.ports: containerPort must be a port number`);
    // Podman 4.3 publishes a container port on the same host port when no hostPort is given.
    const hp = p.hostPort !== undefined ? Number(p.hostPort) : cp;
    const ip = str(p.hostIP);
    out.publish.push(`${ip ? `${ip}:` : ''}${hp}:${cp}/${String(p.protocol ?? 'TCP').toLowerCase()}`);
  }
  out.mounts = list(c.volumeMounts).map((m, i) => mountOf(pc, m, `${at}.volumeMounts[${i}]`));
  const health = probe(c.livenessProbe ? obj(c.livenessProbe) : undefined, true) ?? probe(c.readinessProbe ? obj(c.readinessProbe) : undefined, false);
  if (health) out.health = health;
  const res = obj(c.resources);
  const limits = obj(res.limits);
  const requests = obj(res.requests);
  if (limits.memory !== undefined) out.memory = Math.round(parseQuantity(limits.memory, `${at}.resources.limits.memory`));
  if (requests.memory !== undefined) out.memoryReservation = Math.round(parseQuantity(requests.memory, `${at}.resources.requests.memory`));
  if (limits.cpu !== undefined) out.cpus = parseQuantity(limits.cpu, `${at}.resources.limits.cpu`);
  const sc = { ...pc.security, ...obj(c.securityContext) };
  if (sc.runAsUser !== undefined) out.user = sc.runAsGroup !== undefined ? `${String(sc.runAsUser)}:${String(sc.runAsGroup)}` : String(sc.runAsUser);
  if (Array.isArray(sc.supplementalGroups)) out.groupAdd = strs(sc.supplementalGroups);
  if (sc.privileged === true) out.privileged = true;
  if (sc.readOnlyRootFilesystem === true) out.readOnly = true;
  if (sc.allowPrivilegeEscalation === false) out.noNewPrivileges = true;
  const caps = obj(sc.capabilities);
  if (caps.add) out.capAdd = strs(caps.add);
  if (caps.drop) out.capDrop = strs(caps.drop);
  if (c.tty === true) out.tty = true;
  if (c.stdin === true) out.stdin = true;
  return out;
}

const RESTART: Record<string, KubePod['restart']> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };

function podOf(name: string, owner: { kind: string; name: string }, meta: Obj, spec: Obj, src: Sources, opts: { job?: boolean }): KubePod {
  const at = owner.kind === 'Pod' ? 'spec' : 'spec.template.spec';
  const rp = str(spec.restartPolicy) ?? (opts.job ? 'Never' : 'Always');
  const restart = RESTART[rp];
  if (!restart) throw invalidArgument(`kube play: ${at}.restartPolicy: invalid value "${rp}": use Always, OnFailure or Never`);
  if (opts.job && restart === 'always') throw invalidArgument(`kube play: ${at}.restartPolicy: a Job's pod must be Never or OnFailure`);
  const pc: PodCtx = {
    pod: name,
    volumes: new Map(list(spec.volumes).map((v) => [String(v.name), v])),
    src,
    fileSets: [],
    scratch: new Set(),
    security: obj(spec.securityContext),
  };
  const containers = list(spec.containers).map((c, i) => containerOf(pc, c, `${at}.containers[${i}]`));
  if (!containers.length) throw invalidArgument(`kube play: ${at}.containers: a pod needs at least one container`);
  const initContainers = list(spec.initContainers).map((c, i) => containerOf(pc, c, `${at}.initContainers[${i}]`));
  const names = new Set<string>();
  for (const c of [...initContainers, ...containers]) {
    if (names.has(c.name)) throw invalidArgument(`kube play: ${at}: two containers are named ${c.name.slice(name.length + 1)}`);
    names.add(c.name);
  }
  const dnsc = obj(spec.dnsConfig);
  // The pod's network, and so its published ports, is its infra container's.
  const publish = [...initContainers, ...containers].flatMap((c) => c.publish);
  for (const c of [...initContainers, ...containers]) c.publish = [];
  return {
    name,
    owner,
    ...(spec.hostname ? { hostname: String(spec.hostname) } : {}),
    hostNetwork: spec.hostNetwork === true,
    labels: Object.fromEntries(Object.entries(obj(meta.labels)).map(([k, v]) => [k, String(v)])),
    annotations: Object.fromEntries(Object.entries(obj(meta.annotations)).map(([k, v]) => [k, String(v)])),
    addHosts: list(spec.hostAliases).flatMap((h) => strs(h.hostnames).map((n) => `${n}:${String(h.ip)}`)),
    dns: strs(dnsc.nameservers),
    dnsSearch: strs(dnsc.searches),
    dnsOptions: list(dnsc.options).map((o) => (o.value !== undefined ? `${String(o.name)}:${String(o.value)}` : String(o.name))),
    restart,
    ...(typeof spec.terminationGracePeriodSeconds === 'number' ? { stopTimeoutSec: spec.terminationGracePeriodSeconds } : {}),
    runToCompletion: !!opts.job,
    scratchVolumes: [...pc.scratch],
    fileSets: pc.fileSets,
    initContainers,
    containers,
    publish,
  };
}

export interface PlanOptions {
  /** Documents of `--configmap` files: ConfigMaps only. */
  extraDocs?: Obj[];
  /**
   * Schema validation of each document before skiff reads it (the CLI passes core/kube/validate.ts's
   * models); the default checks nothing.
   */
  validate?: (doc: Obj) => void;
  /** For `kube down`, which needs only names: ConfigMaps and Secrets the YAML refers to may be missing. */
  namesOnly?: boolean;
}

/** The manifest's documents as volumes and pods (names Podman 4.3 would give them). */
export function planPlay(docs: Obj[], opts: PlanOptions = {}): KubePlan {
  const validate = opts.validate ?? (() => undefined);
  const src: Sources = { configMaps: new Map(), secrets: new Map(), lenient: !!opts.namesOnly };
  const plan: KubePlan = { volumes: [], pods: [], warnings: [] };
  for (const d of opts.extraDocs ?? []) {
    validate(d);
    if (d.kind !== 'ConfigMap') throw invalidArgument(`kube play: --configmap: a ${String(d.kind)} is not a ConfigMap`);
  }
  const all = [...(opts.extraDocs ?? []), ...docs];
  for (const d of all) {
    const kind = String(d.kind ?? '');
    if (!opts.extraDocs?.includes(d)) validate(d);
    const tree = KINDS[kind];
    if (!tree) throw invalidArgument(`kube play: kind ${kind || '(none)'} is not supported`);
    const { apiVersion: _a, kind: _k, ...rest } = d;
    checkFields(rest, tree, '');
    const name = str(obj(d.metadata).name);
    if (!name) throw invalidArgument(`kube play: a ${kind} has no metadata.name`);
    if (kind === 'ConfigMap') src.configMaps.set(name, dataOf(d, 'ConfigMap'));
    if (kind === 'Secret') src.secrets.set(name, dataOf(d, 'Secret'));
  }
  for (const d of docs) {
    const kind = String(d.kind);
    const meta = obj(d.metadata);
    const name = String(meta.name);
    const spec = obj(d.spec);
    if (kind === 'PersistentVolumeClaim') plan.volumes.push(name);
    else if (kind === 'Pod') plan.pods.push(podOf(name, { kind, name }, meta, spec, src, {}));
    else if (kind === 'Deployment' || kind === 'DaemonSet' || kind === 'Job') {
      const tpl = obj(spec.template);
      const tmeta = { ...obj(tpl.metadata), annotations: { ...obj(meta.annotations), ...obj(obj(tpl.metadata).annotations) } };
      const replicas = kind === 'Deployment' ? (spec.replicas === undefined ? 1 : Number(spec.replicas)) : 1;
      if (!Number.isInteger(replicas) || replicas < 0) throw invalidArgument(`kube play: ${name}: spec.replicas must be a whole number`);
      if (kind === 'Job' && ((spec.completions ?? 1) !== 1 || (spec.parallelism ?? 1) !== 1)) {
        throw invalidArgument(`kube play: ${name}: a Job runs one pod: spec.completions and spec.parallelism must be 1`);
      }
      for (let i = 0; i < replicas; i++) {
        const pod = podOf(`${name}-pod-${i}`, { kind, name }, tmeta, obj(tpl.spec), src, { job: kind === 'Job' });
        // Podman 4.3 gives every replica the same host ports, so the second fails to start;
        // skiff publishes them on the first replica only.
        if (i > 0 && pod.publish.length) {
          plan.warnings.push(`${pod.name}: host ports ${pod.publish.join(', ')} are published by ${name}-pod-0 only`);
          pod.publish = [];
        }
        plan.pods.push(pod);
      }
    }
  }
  return plan;
}
