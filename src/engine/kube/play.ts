/**
 * @module engine/kube/play
 * `kube play`: a plan from core/kube/play.ts made real over the engine library: claimed
 * volumes, then per pod its row and infra container (network, published ports, hostname), the
 * ConfigMap/Secret files it mounts, its init containers run to completion in order, then its
 * containers started (a Job's waited for). A pod that fails half-made is removed again.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { failedPrecondition } from '../../core/errdefs.js';
import type { KubeContainer, KubeMount, KubePlan, KubePod } from '../../core/kube/play.js';
import type { Engine } from '../index.js';
import type { CreateInput, MountSpec } from '../containers/create-input.js';
import { parsePublish } from '../networks/ports.js';
import { kubeDown, podFilesDir } from './down.js';
import { buildDir } from './build-dirs.js';

export interface PlayOptions {
  replace?: boolean;
  /** Default true; false creates pods and containers without starting them. */
  start?: boolean;
  /** The network the pods join (`--network`), instead of the default one. */
  network?: string;
  /**
   * `--build`: images with a build directory beside the YAML (build-dirs.ts) are built always
   * (true), never (false), or when missing (unset, Podman's default).
   */
  build?: boolean;
  /** The YAML's directory; none (standard input) means no build directories. */
  baseDir?: string;
}

export interface PlayHooks {
  /** Makes the image present (the CLI's pull with its progress), honouring imagePullPolicy. */
  ensureImage(image: string, policy: string | undefined): Promise<void>;
  /** Builds `context` (a directory with a Containerfile or Dockerfile) as `image`. */
  build?(image: string, context: string): Promise<void>;
}

export interface PlayReport {
  volumes: string[];
  pods: { id: string; name: string; containers: string[] }[];
}

const PULL: Record<string, string> = { Always: 'always', IfNotPresent: 'missing', Never: 'never' };

function mountSpec(dir: string, m: KubeMount): { bind?: string; spec?: MountSpec; tmpfs?: string } {
  switch (m.kind) {
    case 'volume':
      return { spec: { type: 'volume', source: m.volume, target: m.target, readOnly: m.readOnly } };
    case 'bind':
      // DirectoryOrCreate is `-v`'s rule (the source made); otherwise it must exist, as `--mount`'s.
      return m.create ? { bind: `${m.source}:${m.target}:${m.readOnly ? 'ro' : 'rw'}` } : { spec: { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly } };
    case 'tmpfs':
      return { tmpfs: `${m.target}${m.sizeBytes ? `:size=${m.sizeBytes}` : ''}` };
    case 'files':
      return { spec: { type: 'bind', source: join(dir, m.dir), target: m.target, readOnly: true } };
  }
}

function containerInput(pod: KubePod, podId: string, c: KubeContainer, dir: string, isInit: boolean): CreateInput {
  const mounts = c.mounts.map((m) => mountSpec(dir, m));
  const h = c.health;
  return {
    image: c.image,
    name: c.name,
    pod: podId,
    opts: {
      ...(c.entrypoint ? { entrypoint: c.entrypoint.length ? c.entrypoint : [''] } : {}),
      ...(c.command ? { command: c.command } : {}),
      env: c.env,
      ...(c.workdir ? { workdir: c.workdir } : {}),
      ...(c.user ? { user: c.user } : {}),
      ...(c.groupAdd ? { groupAdd: c.groupAdd } : {}),
      labels: pod.labels,
      annotations: pod.annotations,
      privileged: !!c.privileged,
      capAdd: c.capAdd ?? [],
      capDrop: c.capDrop ?? [],
      readOnly: !!c.readOnly,
      ...(c.noNewPrivileges ? { security: { noNewPrivileges: true } } : {}),
      tmpfs: mounts.flatMap((m) => (m.tmpfs ? [m.tmpfs] : [])),
      tty: !!c.tty,
      stdinOpen: !!c.stdin,
      resources: {
        ...(c.memory !== undefined ? { memory: c.memory } : {}),
        ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
        ...(c.cpus !== undefined ? { cpus: c.cpus } : {}),
      },
    },
    binds: mounts.flatMap((m) => (m.bind ? [m.bind] : [])),
    mountSpecs: mounts.flatMap((m) => (m.spec ? [m.spec] : [])),
    ...(pod.stopTimeoutSec !== undefined ? { stopTimeout: pod.stopTimeoutSec } : {}),
    ...(isInit || pod.restart === 'no' ? {} : { restart: pod.restart }),
    ...(h
      ? {
        healthcheck: {
          Test: h.test,
          ...(h.intervalSec !== undefined ? { Interval: h.intervalSec * 1e9 } : {}),
          ...(h.timeoutSec !== undefined ? { Timeout: h.timeoutSec * 1e9 } : {}),
          ...(h.startPeriodSec !== undefined ? { StartPeriod: h.startPeriodSec * 1e9 } : {}),
          ...(h.retries !== undefined ? { Retries: h.retries } : {}),
        },
        ...(h.onFailure ? { healthOnFailure: h.onFailure } : {}),
      }
      : {}),
  };
}

async function writeFileSets(dir: string, pod: KubePod): Promise<void> {
  for (const set of pod.fileSets) {
    const base = join(dir, set.dir);
    await mkdir(base, { recursive: true, mode: 0o755 });
    for (const f of set.files) {
      const p = join(base, f.path);
      await mkdir(dirname(p), { recursive: true, mode: 0o755 });
      await writeFile(p, f.data, { mode: f.mode });
    }
  }
}

async function ensureVolume(engine: Engine, name: string): Promise<boolean> {
  try {
    engine.volumes.inspect(name);
    return false;
  } catch {
    await engine.volumes.create({ name });
    return true;
  }
}

async function playPod(engine: Engine, pod: KubePod, opts: PlayOptions, hooks: PlayHooks, built: Set<string>): Promise<PlayReport['pods'][number]> {
  for (const c of [...pod.initContainers, ...pod.containers]) {
    const context = opts.baseDir && hooks.build && opts.build !== false ? buildDir(opts.baseDir, c.image) : undefined;
    if (context && !built.has(c.image) && (opts.build === true || !engine.images.exists(c.image))) {
      await hooks.build!(c.image, context);
      built.add(c.image);
      continue;
    }
    if (built.has(c.image)) continue;
    await hooks.ensureImage(c.image, c.pullPolicy ? PULL[c.pullPolicy] : undefined);
  }
  const podId = await engine.pods.create({
    name: pod.name,
    hostname: pod.hostname ?? pod.name,
    labels: pod.labels,
    ...(pod.hostNetwork ? { network: 'host' } : opts.network ? { network: opts.network } : {}),
    publish: pod.publish.flatMap(parsePublish),
    addHosts: pod.addHosts,
    dns: pod.dns,
    dnsSearch: pod.dnsSearch,
    dnsOptions: pod.dnsOptions,
  });
  const dir = podFilesDir(engine, podId);
  const ids: string[] = [];
  try {
    await writeFileSets(dir, pod);
    for (const v of pod.scratchVolumes) await ensureVolume(engine, v);
    const inits: string[] = [];
    for (const c of pod.initContainers) inits.push((await engine.containers.create(containerInput(pod, podId, c, dir, true))).id);
    for (const c of pod.containers) ids.push((await engine.containers.create(containerInput(pod, podId, c, dir, false))).id);
    if (opts.start !== false) {
      for (const [i, id] of inits.entries()) {
        await engine.containers.start(id);
        const code = await engine.containers.waitFor(id, 'not-running');
        if (code !== 0) throw failedPrecondition(`kube play: pod ${pod.name}: init container ${pod.initContainers[i]!.name} exited with status ${code}`);
      }
      for (const id of ids) await engine.containers.start(id);
      if (pod.runToCompletion) {
        for (const [i, id] of ids.entries()) {
          const code = await engine.containers.waitFor(id, 'not-running');
          if (code !== 0) throw failedPrecondition(`kube play: job ${pod.owner.name}: container ${pod.containers[i]!.name} exited with status ${code}`);
        }
      }
    }
    return { id: podId, name: pod.name, containers: [...inits, ...ids] };
  } catch (e) {
    // A Job that failed is kept to be looked at (its logs), as the kubelet keeps failed pods.
    if (!(pod.runToCompletion && ids.length)) {
      await engine.pods.remove(podId, { force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
    throw e;
  }
}

/** Makes what the plan describes; with `replace`, what a previous play of it made goes first. */
export async function kubePlay(engine: Engine, plan: KubePlan, opts: PlayOptions, hooks: PlayHooks): Promise<PlayReport> {
  if (opts.replace) await kubeDown(engine, plan, {});
  const report: PlayReport = { volumes: [], pods: [] };
  for (const v of plan.volumes) if (await ensureVolume(engine, v)) report.volumes.push(v);
  const built = new Set<string>();
  for (const pod of plan.pods) report.pods.push(await playPod(engine, pod, opts, hooks, built));
  return report;
}
