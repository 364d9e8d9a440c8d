// `run -it` through a real pseudo-terminal: tmux plays the user's terminal (raw mode, window
// size, keys), on a private tmux server so no other session is touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE, containerEnv, tmux, waitFor, type ContainerEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const SOCKET = `skiff-tty-${process.pid}`;
let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-tty-');
});
after(async () => {
  tmux(['-L', SOCKET, 'kill-server']);
  await env.teardown();
});

/** Starts `skiff ARGS` in a new tmux session; the pane stays to show how the CLI exited. */
function session(name: string, args: string[], size: { x: number; y: number }): void {
  const vars = ['SKIFF_ROOT', 'SKIFF_RUNROOT', 'SKIFF_CONFIG'].map((k) => `${k}='${env.env[k]!}'`).join(' ');
  const cli = [process.execPath, env.bin, ...args].map((a) => `'${a}'`).join(' ');
  const cmd = `env ${vars} ${cli}; echo CLI-EXITED=$?; sleep 600`;
  const r = tmux(['-L', SOCKET, 'new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), cmd]);
  assert.equal(r.code, 0, 'tmux new-session');
}

function screen(name: string): string[] {
  return tmux(['-L', SOCKET, 'capture-pane', '-p', '-t', name]).stdout.split('\n').map((l) => l.trimEnd());
}

function keys(name: string, ...k: string[]): void {
  assert.equal(tmux(['-L', SOCKET, 'send-keys', '-t', name, ...k]).code, 0, 'tmux send-keys');
}

/** Waits until a line of the pane matches, after `skip` earlier matches (lines repeat). */
function expectLine(name: string, re: RegExp, skip = 0): Promise<string> {
  return waitFor(() => screen(name).filter((l) => re.test(l))[skip], 10_000, `${re} on the screen`).catch((e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${screen(name).join('\n')}`);
  });
}

test('run -it: prompt, typed command, resize, detach with ctrl-p ctrl-q, attach back', { skip: unmet(tool('tmux')) }, async () => {
  session('run', ['run', '-it', '--name', 't', IMAGE, 'sh'], { x: 120, y: 40 });
  await expectLine('run', /^\/ #$/);

  keys('run', 'echo $((6*7))', 'Enter');
  await expectLine('run', /^42$/);

  // The pty starts with the terminal's size, and follows it.
  keys('run', 'stty size', 'Enter');
  await expectLine('run', /^40 120$/);
  assert.equal(tmux(['-L', SOCKET, 'resize-window', '-t', 'run', '-x', '100', '-y', '30']).code, 0);
  const paneSize = () => tmux(['-L', SOCKET, 'display', '-p', '-t', 'run', '#{pane_height} #{pane_width}']).stdout.trim();
  await waitFor(() => (paneSize() === '30 100' ? true : undefined), 5000, 'tmux to resize');
  keys('run', 'clear', 'Enter');
  await waitFor(() => (screen('run').filter((l) => l !== '').length === 1 ? true : undefined), 5000, 'the screen to clear');
  // ash asks the terminal for the cursor position after each prompt (ESC[6n): let tmux answer
  // before typing, or the answer lands in the middle of the typed line.
  await sleep(500);
  keys('run', 'stty size', 'Enter');
  await expectLine('run', /^30 100$/);

  keys('run', 'C-p', 'C-q');
  await expectLine('run', /CLI-EXITED=0$/);
  assert.match(env.ok(['ps', '--filter', 'name=t', '--format', '{{.Names}} {{.Status}}']), /^t Up /);

  // A new terminal with another size: attach, the shell still reads its tty.
  session('att', ['attach', 't'], { x: 80, y: 24 });
  await waitFor(() => (screen('att').some((l) => l.startsWith('/ #')) ? true : undefined), 10_000, 'the prompt after attach').catch(() => undefined);
  keys('att', 'echo back-$((1+1))', 'Enter');
  await expectLine('att', /^back-2$/);
  keys('att', 'stty size', 'Enter');
  await expectLine('att', /^24 80$/);
  keys('att', 'exit 7', 'Enter');
  await expectLine('att', /CLI-EXITED=7$/);
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 't']).trim(), 'exited 7');
  // Everything the shell printed went to the log too, with the tty's \r\n.
  assert.match(env.ok(['logs', 't']), /^42\r?$/m);
  env.ok(['rm', 't']);
});
