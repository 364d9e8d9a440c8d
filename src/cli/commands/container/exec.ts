import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { ExitCodeError } from '../../../core/errdefs.js';

export interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
  detachKeys?: string;
}

/** Docker's `-e NAME` (no `=`) takes the value from the caller's environment, or drops the name. */
export function expandEnv(list: string[] = []): string[] {
  const out: string[] = [];
  for (const e of list) {
    if (e.includes('=')) out.push(e);
    else if (process.env[e] !== undefined) out.push(`${e}=${process.env[e]}`);
  }
  return out;
}

export function register(parent: Command, app: App, name = 'exec'): void {
  const cmd = parent
    .command(name)
    .description('Run a process in a running container')
    .argument('<CONTAINER>')
    .argument('<COMMAND...>', 'command and arguments')
    .passThroughOptions()
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-d, --detach', 'detached mode: run the command in the background')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user>', 'username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('--privileged', 'give extended privileges to the command')
    .option('--detach-keys <keys>', 'override the key sequence for detaching')
    .action((ref: string, command: string[], f: ExecFlags) => execIn(app, ref, command, f));
  examples(cmd, ['skiff exec web ls /', 'skiff exec -it shell sh', 'skiff exec -u 1000 -w /tmp -e A=b web env']);
}

/** `exec`'s work, for `compose exec` too: the process's exit status becomes the CLI's. */
export async function execIn(app: App, ref: string, command: string[], f: ExecFlags): Promise<void> {
  const engine = await app.engine();
  const tty = !!f.tty;
  const stdinOpen = !!f.interactive && !f.detach;
  let restoreRaw = false;
  let onResize: (() => void) | undefined;
  const result = await engine.containers
    .exec(ref, {
      cmd: command,
      tty,
      stdin: stdinOpen,
      detach: !!f.detach,
      env: expandEnv(f.env),
      ...(f.workdir !== undefined ? { workdir: f.workdir } : {}),
      ...(f.user !== undefined ? { user: f.user } : {}),
      privileged: !!f.privileged,
      ...(f.detach
        ? {}
        : {
            streams: {
              ...(stdinOpen ? { stdin: process.stdin } : {}),
              stdout: process.stdout,
              ...(tty ? {} : { stderr: process.stderr }),
              ...(f.detachKeys !== undefined ? { detachKeys: f.detachKeys } : {}),
            },
          }),
      onSession: (resize) => {
        if (f.detach) return;
        if (tty && stdinOpen && process.stdin.isTTY) {
          process.stdin.setRawMode(true);
          restoreRaw = true;
        }
        if (tty && process.stdout.isTTY) {
          const apply = (attempt = 0) => {
            const { rows, columns } = process.stdout;
            if (!rows || !columns) return;
            // The session's ctl FIFO appears only once conmon is up: retry the first size briefly.
            resize({ rows, cols: columns }).catch(() => {
              if (attempt < 20) setTimeout(() => apply(attempt + 1), 50).unref();
            });
          };
          onResize = () => apply(10);
          process.stdout.on('resize', onResize);
          apply();
        }
      },
    })
    .finally(() => {
      if (restoreRaw) process.stdin.setRawMode(false);
      if (onResize) process.stdout.off('resize', onResize);
      if (stdinOpen) process.stdin.pause();
    });
  if (result.detached) return;
  if (result.exitCode !== 0) throw new ExitCodeError(result.exitCode);
}
