import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Runs this skiff command again through `entry` (nsenter into the user's namespace), with the
 * same stdio, and returns its exit status. This process only waits: the terminal's signals
 * reach the child through the shared process group; others are passed on.
 */
export function reexec(entry: string[], argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(entry[0]!, [...entry.slice(1), process.execPath, ...process.execArgv, process.argv[1]!, ...argv], { stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => () => void child.kill(sig);
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGINT', () => undefined],
      ['SIGQUIT', () => undefined],
      ['SIGTERM', forward('SIGTERM')],
      ['SIGHUP', forward('SIGHUP')],
      ['SIGUSR1', forward('SIGUSR1')],
      ['SIGUSR2', forward('SIGUSR2')],
      ['SIGWINCH', forward('SIGWINCH')],
    ];
    for (const [s, h] of handlers) process.on(s, h);
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0));
    });
  });
}
