import { join } from 'node:path';
import { WASM_RUNTIME } from '../../core/wasm/image.js';
import type { OciRuntime, RuntimeContainer, ExitPaths } from '../../core/oci-runtime/runtime.js';
import { ContainerRecords } from '../../impl/metadata/container-records.js';
import type { EngineContext } from '../context.js';
import type { ContainerConfigRecord, ContainerRecord, ContainerStateRecord } from './types.js';

export interface ContainerPaths extends ExitPaths {
  /** Survives reboots: generated /etc files, the log, conmon's persist dir. */
  userdata: string;
  logPath: string;
  /** In the run root (gone after a reboot): bundle, conmon's files, the rootfs mount point. */
  runDir: string;
  bundle: string;
  rootfs: string;
}

export interface ContainerEngineOptions {
  /** argv that runs `skiff` with this engine's roots; conmon calls `<argv> container cleanup ID` on exit. */
  cleanupCommand?: string[];
  /** Called when a container starts needing the timers (a restart back-off was scheduled). */
  wakeTimers?: () => void;
}

const EXIT_NOTIFY_SCRIPT = `s=$1 id=$2; shift 2
curl -sf -o /dev/null --max-time 120 --unix-socket "$s" -X POST "http://skiff/skiff/containers/$id/exited" 2>/dev/null || exec "$@"`;

/** What container verbs share: records, paths and the OCI runtime (opened on first use). */
export class ContainerContext {
  readonly records: ContainerRecords<ContainerConfigRecord, ContainerStateRecord>;
  private readonly runtimes = new Map<string, Promise<OciRuntime>>();

  constructor(
    readonly ctx: EngineContext,
    readonly opts: ContainerEngineOptions = {},
  ) {
    this.records = new ContainerRecords(ctx.db);
  }

  paths(id: string): ContainerPaths {
    const userdata = join(this.ctx.root, 'containers', id, 'userdata');
    const runDir = join(this.ctx.runroot, 'containers', id);
    return {
      userdata,
      logPath: join(userdata, 'ctr.log'),
      persistDir: join(userdata, 'persist'),
      exitDir: join(this.ctx.runroot, 'exits'),
      runDir,
      bundle: join(runDir, 'bundle'),
      rootfs: join(runDir, 'rootfs'),
    };
  }

  runtimeContainer(c: ContainerRecord): RuntimeContainer {
    const p = this.paths(c.id);
    return { id: c.id, bundle: p.bundle, runDir: p.runDir, name: c.name };
  }

  runtime(requested?: string): Promise<OciRuntime> {
    // A WASM container is an ordinary one to the OCI runtime: its process is the WASI host.
    const name = requested === WASM_RUNTIME ? undefined : requested;
    const key = name ?? '';
    let r = this.runtimes.get(key);
    if (!r) {
      // Loaded on first use: the runtime layer (child processes, sockets) is not on `ps`'s path.
      r = import('../../impl/runtime/runtimes.js').then((m) => m.openRuntime(this.ctx.config, this.ctx.runroot, name));
      this.runtimes.set(key, r);
    }
    return r;
  }

  /** The API service's unix socket while it serves: container exits are handled in it. */
  exitSocket?: string;

  exitCommand(id: string): string[] | undefined {
    const base = this.opts.cleanupCommand;
    if (!base) return undefined;
    const cli = [...base, '--root', this.ctx.root, '--runroot', this.ctx.runroot, 'container', 'cleanup', id];
    if (!this.exitSocket) return cli;
    // One curl instead of a second Node process per exit; if the service is gone (or curl is
    // missing) the CLI cleans up as it does without a service.
    return ['/bin/sh', '-c', EXIT_NOTIFY_SCRIPT, 'skiff-exit', this.exitSocket, id, ...cli];
  }
}
