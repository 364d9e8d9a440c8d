import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AttachSession, AttachStreams } from '../../core/oci-runtime/runtime.js';
import { generateSpec } from '../../core/runtime/spec.js';
import type { ContainerCreateOptions, NetworkMode } from '../../core/runtime/create-options.js';
import { parseSeccompProfile } from '../../core/runtime/seccomp/resolve.js';
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import { readHostFacts } from './spec/host-facts.js';
import type { ContainerContext } from './context.js';
import { writeRunFiles } from './etc-files.js';
import { hideHostPaths } from './host-paths.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';
import { mountRootfs, precreateMountpoints, unmountRootfs } from './rootfs.js';
import { guard, isActive } from './state.js';
import { runtimeLog } from './log-config.js';
import { redoInterruptedCreate, undoInterruptedStart } from './recover.js';
import { withContainer } from './locked.js';
import { crashPoint } from '../../sys/crash-point.js';
import { containerEvent } from './events.js';
import { addNotifyMount, containerNotifySocket, notifyStarted } from './sd-notify.js';
import { runFilesNetwork, setupContainerNetwork, teardownContainerNetwork } from '../networks/container-net.js';
import { prepareVolumeMounts } from '../volumes/mounts.js';
import { releaseVolumeMounts } from '../volumes/data-mount.js';
import type { ContainerRecord } from './types.js';
import { hasRestartPolicy } from '../../core/restart-backoff.js';
import { healthAtStart } from './health.js';
import { linkRunInputs } from './links.js';
import { joinNamespaces } from './ns-joins.js';
import { readRootedText } from '../../impl/rooted/read-file.js';
import { WASM_RUNTIME } from '../../core/wasm/image.js';
import { userMountPaths, wasmSpec, wasmStartOptions } from '../../core/wasm/spec.js';
import { wasmHost } from '../../impl/wasm/node-host.js';

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The namespace modes that name another container are resolved to that container's /proc paths. */
function resolveNetwork(cc: ContainerContext, c: ContainerRecord): NetworkMode {
  const mode = c.config.networkMode;
  if (mode === 'host') return { mode: 'host' };
  if (mode.startsWith('ns:')) return { mode: 'container', path: mode.slice(3) };
  if (mode.startsWith('container:')) {
    const other = resolveContainer(cc, mode.slice(10));
    if (other.state.status !== 'running') {
      throw failedPrecondition(`cannot join the network of container ${other.name}: it is not running`);
    }
    return { mode: 'container', path: `/proc/${other.state.pid}/ns/net` };
  }
  return { mode: 'none' };
}

export interface StartOptions {
  /** Connect these streams before the process starts, so no output is lost (run, start -a). */
  attach?: AttachStreams;
  /** More clients to connect before the process starts (API attach calls made before start). */
  attachAlso?: AttachStreams[];
  /**
   * The caller stays to the end and cleans up itself (a foreground `run`): conmon gets no exit
   * command, so no second skiff process competes for the CPU. Should the caller die, the next
   * refresh of the container (ps, inspect, rm) does the cleanup instead.
   */
  callerCleansUp?: boolean;
  /** A restart policy's restart (counted in RestartCount); a user's start resets the count. */
  byPolicy?: boolean;
  /** systemd's NOTIFY_SOCKET in the front's environment, for a container made with --sdnotify. */
  notifySocket?: string;
}

/**
 * `start`: mount the rootfs, write the /etc files and config.json, let conmon run
 * `runtime create`, optionally attach, then `runtime start`. A failure undoes the mount and
 * the runtime state and leaves the container as it was.
 */
export function startContainer(
  cc: ContainerContext,
  input: string,
  opts: StartOptions = {},
): Promise<{ container: ContainerRecord; attach?: AttachSession; also: AttachSession[] }> {
  return startPodInfra(cc, input).then(() => withContainer(cc, input, (c) => startLocked(cc, c, opts)));
}

/** A pod member needs its infra container running (Podman starts it first): its namespaces are joined. */
async function startPodInfra(cc: ContainerContext, input: string): Promise<void> {
  const infra = resolveContainer(cc, input).config.pod?.infra;
  if (!infra) return;
  if (!cc.records.get(infra)) throw failedPrecondition(`the infra container ${infra.slice(0, 12)} of this pod is gone`);
  await withContainer(cc, infra, async (i) => {
    if (i.state.status !== 'running' && i.state.status !== 'paused') await startLocked(cc, i, {});
  });
}

/** A pod member shares the infra container's UTS namespace and its /etc files (hosts, resolv.conf, hostname). */
function podShares(
  cc: ContainerContext,
  c: ContainerRecord,
): { uts?: { path: string }; hostname?: string; userdata?: string; userns?: ContainerCreateOptions['userns'] } {
  const p = c.config.pod;
  if (!p?.infra) return {};
  const infra = cc.records.get(p.infra);
  if (!infra || !isActive(infra.state.status) || !infra.state.pid) {
    throw failedPrecondition(`the infra container ${p.infra.slice(0, 12)} of pod ${p.id.slice(0, 12)} is not running`);
  }
  const shared = c.config.networkMode === `container:${p.infra}`;
  // The infra's namespaces belong to its user namespace: a member must be in it to join them.
  const userns = infra.config.opts.userns;
  return {
    ...(userns && userns.mode !== 'host' ? { userns: { ...userns, mode: 'path' as const, path: `/proc/${infra.state.pid}/ns/user` } } : {}),
    ...(p.uts ? { uts: { path: `/proc/${infra.state.pid}/ns/uts` }, hostname: infra.config.opts.hostname ?? infra.id.slice(0, 12) } : {}),
    ...(shared ? { userdata: cc.paths(p.infra).userdata } : {}),
  };
}

async function startLocked(
  cc: ContainerContext,
  c: ContainerRecord,
  opts: StartOptions,
): Promise<{ container: ContainerRecord; attach?: AttachSession; also: AttachSession[] }> {
  const ctx = cc.ctx;
  guard.start(c);
  // A user's stop between the exit and the back-off's end cancelled this restart.
  if (opts.byPolicy && c.state.status !== 'restarting') throw failedPrecondition(`container ${c.id.slice(0, 12)}: restart cancelled`);
  const paths = cc.paths(c.id);
  const runtime = await cc.runtime(c.config.runtime);
  // Holding the lock of a container that is not running, whatever a start killed midway left
  // (a monitor, runtime state, a mount, a netns with its leases) is ours to undo first.
  await undoInterruptedStart(cc, c);
  redoInterruptedCreate(cc, c);
  crashPoint('start:begin');
  const rc = cc.runtimeContainer(c);
  let attach: AttachSession | undefined;
  const also: AttachSession[] = [];
  try {
    // Traversable but not listable: with a user namespace runc bind-mounts the rootfs as the
    // container's root (an unprivileged host uid), which must be able to reach it.
    mkdirSync(paths.runDir, { recursive: true, mode: 0o711 });
    chmodSync(dirname(paths.runDir), 0o711);
    chmodSync(paths.runDir, 0o711);
    // A bundle from an earlier start may have a runtime entry left (the CLI was killed mid-start).
    const restarting = existsSync(join(paths.bundle, 'config.json'));
    mkdirSync(paths.bundle, { recursive: true, mode: 0o700 });
    await mountRootfs(ctx, c.layerId!, paths.rootfs, { volatile: c.config.autoRemove });
    crashPoint('start:mounted');
    const net = await setupContainerNetwork(cc, c);
    crashPoint('start:network');
    const links = linkRunInputs(cc, c);
    const o: ContainerCreateOptions = {
      ...c.config.opts,
      ...joinNamespaces(cc, c.config.opts),
      network: net ? { mode: 'bridge', path: net.netns } : resolveNetwork(cc, c),
      ...(links.env.length ? { env: [...links.env, ...(c.config.opts.env ?? [])] } : {}),
    };
    if (net?.userns && o.userns?.mode === 'private') o.userns = { ...o.userns, mode: 'path', path: net.userns };
    o.mounts = await prepareVolumeMounts(ctx, c.id, o.mounts, paths.rootfs);
    crashPoint('start:volumes');
    const pod = podShares(cc, c);
    if (pod.userns) o.userns = pod.userns;
    if (pod.uts) {
      o.uts = pod.uts;
      o.env = [`HOSTNAME=${pod.hostname}`, ...(o.env ?? [])];
    }
    // A joined UTS namespace keeps its own name: the spec may set none.
    const hostUts = o.uts === 'host' || !!pod.uts;
    const hostname = o.hostname ?? (c.config.networkMode === 'host' || o.uts === 'host' ? readHostFacts().hostname : c.id.slice(0, 12));
    const files = writeRunFiles(c, paths.userdata, hostname, c.config.netFiles ?? {}, net && runFilesNetwork(net), links.hosts);
    if (pod.userdata) {
      files.hosts = join(pod.userdata, 'hosts');
      addPodHostsName(files.hosts, c.name);
      files.resolvConf = join(pod.userdata, 'resolv.conf');
      if (pod.uts) files.hostname = join(pod.userdata, 'hostname');
    }
    const config = ctx.config.containers;
    let seccompProfile;
    if (config.seccompProfile) {
      const text = readIfExists(config.seccompProfile);
      if (text === undefined) throw invalidArgument(`seccomp profile ${config.seccompProfile} cannot be read`);
      seccompProfile = parseSeccompProfile(JSON.parse(text));
    }
    const warnings: string[] = [];
    const wasm = c.config.runtime === WASM_RUNTIME ? await wasmHost(ctx.runroot) : undefined;
    const specOpts = wasm ? wasmStartOptions(o, wasm) : o;
    let spec = generateSpec({
      image: c.config.imageConfig,
      // The host's UTS namespace keeps the host's name: the spec may set none.
      opts: hostUts ? specOpts : { ...specOpts, hostname },
      rootfs: paths.rootfs,
      host: readHostFacts(),
      passwd: readRootedText(paths.rootfs, '/etc/passwd'),
      group: readRootedText(paths.rootfs, '/etc/group'),
      containerId: c.id,
      defaults: {
        capabilities: config.defaultCapabilities,
        ulimits: config.defaultUlimits,
        pidsLimit: config.pidsLimit,
        shmSize: config.shmSize,
        ...(seccompProfile ? { seccompProfile } : {}),
      },
      files,
      warnings,
    });
    if (wasm) spec = wasmSpec(spec, wasm, userMountPaths(o.mounts));
    if (containerNotifySocket(c, opts.notifySocket)) addNotifyMount(spec, paths.bundle);
    if (spec.linux.uidMappings) precreateMountpoints(paths.rootfs, spec.mounts);
    writeFileSync(join(paths.bundle, 'config.json'), JSON.stringify(spec));
    crashPoint('start:spec');
    if (restarting) await runtime.delete(c.id, true);
    const log = runtimeLog(c.config.logConfig);
    if (log.sizeMax) keepPreviousLog(paths.logPath);
    const created = await runtime.create(rc, {
      tty: !!o.tty,
      stdin: !!o.stdinOpen,
      // Docker never closes a tty's stdin when a client goes: detaching (ctrl-p ctrl-q) must
      // leave the shell usable for the next `attach`. EOF on a tty is ctrl-D, in band.
      leaveStdinOpen: !!o.tty,
      logPath: paths.logPath,
      log,
      exitDir: paths.exitDir,
      persistDir: paths.persistDir,
      // A restart policy is applied by the exit command, so a foreground run keeps it too.
      exitCommand: opts.callerCleansUp && !hasRestartPolicy(c.config.restartPolicy) ? undefined : cc.exitCommand(c.id),
      willAttach: !!opts.attach,
      sdNotifySocket: containerNotifySocket(c, opts.notifySocket),
    });
    // Recorded before the process runs: a start killed from here on leaves a monitor that the
    // next start or rm of the container finds by this pid and stops.
    cc.records.updateState(c.id, (s) => ({ ...s, conmonPid: created.monitorPid, pid: created.pid }));
    crashPoint('start:created');
    if (opts.attach) attach = await runtime.attach(rc, opts.attach);
    for (const s of opts.attachAlso ?? []) also.push(await runtime.attach(rc, s));
    await runtime.start(c.id);
    const startedAt = new Date();
    crashPoint('start:started');
    c = cc.records.updateState(c.id, (s) => ({
      ...s,
      health: healthAtStart(c, startedAt.getTime()),
      restartCount: opts.byPolicy ? (s.restartCount ?? 0) + 1 : 0,
      userStopped: undefined,
      restartAt: undefined,
      status: 'running',
      pid: created.pid,
      conmonPid: created.monitorPid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: startedAt.toISOString(),
      finishedAt: '0001-01-01T00:00:00Z',
      starting: undefined,
    }))!;
    containerEvent(cc, c, 'start');
    if (c.state.health) cc.opts.wakeTimers?.();
    // A process that ended before `running` was written had its exit command find nothing to do.
    if (hasRestartPolicy(c.config.restartPolicy)) await refreshContainer(cc, c);
  } catch (e) {
    attach?.close();
    for (const s of also) s.close();
    await runtime.delete(c.id, true).catch(() => undefined);
    unmountRootfs(paths.rootfs);
    await releaseVolumeMounts(ctx, c.id).catch(() => undefined);
    await teardownContainerNetwork(cc, c.id);
    if (e instanceof Error) e.message = hideHostPaths(e.message, { root: ctx.root, runroot: ctx.runroot, rootfs: paths.rootfs });
    cc.records.updateState(c.id, (s) => ({ ...s, starting: undefined, conmonPid: 0, pid: 0, error: (e as Error).message }));
    throw e;
  }
  // Outside the undo above: the container runs, whether or not systemd could be told.
  notifyStarted(c, opts.notifySocket);
  return { container: c, ...(attach ? { attach } : {}), also };
}

/**
 * The pod's /etc/hosts (the infra container's, bind-mounted into every member) names each member
 * on loopback, as Podman's does: members reach each other by name too. Appended in place, so
 * the running members, whose mount holds this inode, see it.
 */
function addPodHostsName(hosts: string, name: string): void {
  const text = readIfExists(hosts) ?? '';
  if (text.split('\n').some((l) => l.split(/\s+/).slice(1).includes(name) && l.startsWith('127.0.0.1'))) return;
  appendFileSync(hosts, `${text === '' || text.endsWith('\n') ? '' : '\n'}127.0.0.1\t${name}\n`);
}

/**
 * conmon counts a log's size from 0 at every start while appending to what an earlier run
 * left, so a capped log would pass its max-size once. That log is moved aside as `<log>.1`
 * (replacing an older one), which `logs` reads first: each file stays within the cap.
 */
function keepPreviousLog(logPath: string): void {
  try {
    if (statSync(logPath).size > 0) renameSync(logPath, `${logPath}.1`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export function bundleExists(cc: ContainerContext, id: string): boolean {
  return existsSync(join(cc.paths(id).bundle, 'config.json'));
}
