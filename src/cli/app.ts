import type { Engine } from '../engine/index.js';
import type { StorageDriverName } from '../core/config/types.js';
import { invalidArgument } from '../core/errdefs.js';
import { writeOut } from './broken-pipe.js';

export interface GlobalOptions {
  root?: string;
  runroot?: string;
  storageDriver?: string;
  logLevel: string;
}

/**
 * What a command needs beyond its own flags: the engine (opened on first use, so verbs
 * that need none stay fast) and the output streams.
 */
export class App {
  private engineInstance?: Engine;
  constructor(
    readonly globals: () => GlobalOptions,
    readonly out: (s: string) => void = writeOut,
    readonly err: (s: string) => void = (s) => void process.stderr.write(s),
  ) {}

  /**
   * `timers: false` skips the check that a container needing health probes or a restart
   * back-off has someone to run them (the timer process itself). `sqliteBusyTimeoutMs`: only
   * the first call's counts (the API service asks for a short one).
   */
  async engine(opts: { timers?: boolean; sqliteBusyTimeoutMs?: number } = {}): Promise<Engine> {
    if (this.engineInstance) return this.engineInstance;
    const { createEngine, loadConfig, configFiles } = await import('../engine/index.js');
    const g = this.globals();
    const config = loadConfig();
    const driver = g.storageDriver ?? process.env.SKIFF_STORAGE_DRIVER;
    if (driver !== undefined && driver !== 'overlay' && driver !== 'vfs') {
      throw invalidArgument(`unknown storage driver "${driver}": use overlay or vfs`);
    }
    this.engineInstance = createEngine({
      config,
      configFile: configFiles().files.map((f) => f.path).join(', '),
      root: g.root ?? process.env.SKIFF_ROOT,
      runroot: g.runroot ?? process.env.SKIFF_RUNROOT,
      storageDriver: driver as StorageDriverName | undefined,
      cleanupCommand: [process.execPath, process.argv[1]!],
      ...(opts.sqliteBusyTimeoutMs !== undefined ? { sqliteBusyTimeoutMs: opts.sqliteBusyTimeoutMs } : {}),
    });
    if (opts.timers !== false) {
      try {
        this.engineInstance.timers.ensure();
      } catch (e) {
        this.debug(`timers: ${(e as Error).message}`);
      }
    }
    return this.engineInstance;
  }

  /** Prints a line (adds the newline when missing). */
  print(s: string): void {
    this.out(s.endsWith('\n') || s === '' ? s : s + '\n');
  }

  debug(msg: string): void {
    if (this.globals().logLevel === 'debug') this.err(`DEBU ${msg}\n`);
  }

  close(): void {
    this.engineInstance?.close();
  }
}
