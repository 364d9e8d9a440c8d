// Exec as dockerd does it (measured on dockerd 20.10): a process that cannot start is its
// message on stdout and exit 126 through the docker CLI (skiff's own exec: 127 when not found,
// 126 when not executable, as Podman); the output framing follows the *start* request's Tty;
// detach keys end an attached exec's stream and leave the process running; cp reaches the
// anonymous volumes of a created container. Clients: the docker CLI, python3-docker, skiff.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiEnv, IMAGE, waitFor, type ApiEnv } from './fixtures.js';
import { tmux } from '../containers/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('python3'));
let env: ApiEnv;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-api-exec-');
  env.dockerOk(['run', '-d', '--name', 'box', '--network', 'none', IMAGE, 'sleep', '1000']);
});
const TMUX = `skiff-api-exec-${process.pid}`;
after(async () => {
  tmux(['-L', TMUX, 'kill-server']);
  if (!skip) await env.stop();
});

function python(script: string): string[] {
  const r = spawnSync('python3', ['-c', `import docker, sys, time\nc = docker.APIClient(base_url='unix://${env.socket}', version='1.41')\n${script}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout.trim().split('\n');
}

test('docker exec of a missing command, a non-executable file or a missing -w dir: dockerd\'s message on stdout, exit 126', { skip }, () => {
  const cases: [string[], string][] = [
    [['box', 'nope'], 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown'],
    [['box', '/etc/passwd'], 'OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown'],
    [['-w', '/nodir', 'box', 'true'], 'OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nodir") set in config.json failed: no such file or directory: unknown'],
    [['-u', 'nobody2', 'box', 'true'], 'unable to find user nobody2: no matching entries in passwd file'],
  ];
  for (const [args, message] of cases) {
    const r = env.docker(['exec', ...args]);
    assert.equal(r.code, 126, `docker exec ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout.trim(), message, `docker exec ${args.join(' ')}`);
  }
  // Detached, the refusal is the start request's error.
  const d = env.docker(['exec', '-d', 'box', 'nope']);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /^Error response from daemon: OCI runtime exec failed: .*"nope": executable file not found in \$PATH: unknown$/m);
});

test('skiff exec: 127 for a missing command, 126 for a non-executable file or an unknown user, as Podman', { skip }, () => {
  const missing = env.run(['exec', 'box', 'nope']);
  assert.equal(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /^Error: OCI runtime exec failed: .*"nope": executable file not found in \$PATH/);
  const notExec = env.run(['exec', 'box', '/etc/passwd']);
  assert.equal(notExec.code, 126, notExec.stderr);
  assert.match(notExec.stderr, /permission denied/);
  const user = env.run(['exec', '-u', 'nobody2', 'box', 'true']);
  assert.equal(user.code, 126, user.stderr);
  assert.equal(user.stderr.trim(), 'Error: unable to find user nobody2: no matching entries in passwd file');
});

test('python3-docker: the start request\'s Tty decides the framing (framed for a tty exec started with tty=False; raw, stderr dropped, for the reverse)', { skip }, () => {
  const lines = python(`
cmd = ['sh', '-c', 'echo err >&2; sleep 0.2; echo out']
e = c.exec_create('box', cmd, tty=True)
print(repr(c.exec_start(e['Id'], tty=False)))
e = c.exec_create('box', cmd, tty=False)
print(repr(c.exec_start(e['Id'], tty=True)))
e = c.exec_create('box', cmd, tty=False)
print(repr(c.exec_start(e['Id'], tty=False, demux=True)))
`);
  // docker-py reads stdcopy frames when it asked for no tty: the tty's output arrives whole.
  assert.equal(lines[0], "b'err\\r\\nout\\r\\n'");
  // Raw, and dockerd forwards no stderr for a start with Tty.
  assert.equal(lines[1], "b'out\\n'");
  assert.equal(lines[2], "(b'out\\n', b'err\\n')");
});

test('python3-docker: detach keys (detachKeys on exec create) end the stream; the process runs on', { skip }, () => {
  const lines = python(`
e = c.exec_create('box', ['sh'], stdin=True, tty=True, detach_keys='ctrl-x')
s = c.exec_start(e['Id'], tty=True, socket=True)._sock
s.settimeout(30)
s.sendall(b'echo hi-$((6*7))\\n')
out = b''
while b'hi-42' not in out:
    out += s.recv(4096)
s.sendall(b'\\x18')
while True:
    d = s.recv(4096)
    if not d: break
print('closed')
i = c.exec_inspect(e['Id'])
print(i['Running'], i['ExitCode'], i['Pid'] > 0)
`);
  assert.deepEqual(lines, ['closed', 'True None True']);
  // The shell is still there, reading its tty.
  assert.match(env.dockerOk(['exec', 'box', 'ps', '-o', 'args']), /^sh$/m);
});

test('docker cp and skiff cp into and out of an anonymous volume of a created, not yet started container', { skip }, () => {
  env.ok(['import', '-c', 'CMD ["/bin/sh"]', '-c', 'VOLUME /data', env.tar, 'withvol']);
  const file = join(env.dir, 'note.txt');
  writeFileSync(file, 'in the volume\n');
  env.dockerOk(['create', '--name', 'vol1', '--network', 'none', 'withvol', 'cat', '/data/note.txt', '/data/by-skiff.txt']);
  env.dockerOk(['cp', file, 'vol1:/data/note.txt']);
  env.ok(['cp', file, 'vol1:/data/by-skiff.txt']);
  const out = join(env.dir, 'back.txt');
  env.dockerOk(['cp', 'vol1:/data/by-skiff.txt', out]);
  assert.equal(readFileSync(out, 'utf8'), 'in the volume\n');
  const back = join(env.dir, 'back2.txt');
  env.ok(['cp', 'vol1:/data/note.txt', back]);
  assert.equal(readFileSync(back, 'utf8'), 'in the volume\n');
  // The container sees both once started: they went into its volume, not under it.
  assert.equal(env.dockerOk(['start', '-a', 'vol1']), 'in the volume\nin the volume\n');
  const mount = env.dockerOk(['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}', 'vol1']).trim();
  assert.equal(mount, 'volume /data');
  env.dockerOk(['rm', '-v', 'vol1']);
});

/** Runs a command line in a private tmux session (a real terminal); the pane shows how it exited. */
function terminal(name: string, argv: string[], vars: Record<string, string>): void {
  const env_ = Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join(' ');
  const cmd = `env ${env_} ${argv.map((a) => `'${a}'`).join(' ')}; echo CLI-EXITED=$?; sleep 600`;
  assert.equal(tmux(['-L', TMUX, 'new-session', '-d', '-s', name, '-x', '100', '-y', '30', cmd]).code, 0, 'tmux new-session');
}

function screen(name: string): string {
  return tmux(['-L', TMUX, 'capture-pane', '-p', '-t', name]).stdout;
}

async function expectScreen(name: string, re: RegExp): Promise<void> {
  await waitFor(() => (re.test(screen(name)) ? true : undefined), 15_000, `${re} on the screen`).catch((e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${screen(name)}`);
  });
}

/** ash asks the terminal for the cursor position after its prompt: tmux answers before we type. */
async function prompt(name: string): Promise<void> {
  await expectScreen(name, /^\/ #/m);
  await sleep(500);
}

test('docker exec -it --detach-keys and skiff exec -it --detach-keys: ctrl-x leaves the shell running (docker: "read escape sequence", exit 1 as with dockerd)', { skip: skip || unmet(tool('tmux')) }, async () => {
  const shells = () => env.dockerOk(['exec', 'box', 'ps', '-o', 'args']).split('\n').filter((l) => l === 'sh').length;
  const before = shells();
  terminal('docker', ['docker', 'exec', '-it', '--detach-keys', 'ctrl-x', 'box', 'sh'], {
    DOCKER_HOST: env.clientEnv.DOCKER_HOST!,
    DOCKER_CONFIG: env.clientEnv.DOCKER_CONFIG!,
  });
  await prompt('docker');
  tmux(['-L', TMUX, 'send-keys', '-t', 'docker', 'echo in-$((6*7))', 'Enter']);
  await expectScreen('docker', /^in-42$/m);
  tmux(['-L', TMUX, 'send-keys', '-t', 'docker', 'C-x']);
  await expectScreen('docker', /read escape sequence\s+CLI-EXITED=1/);

  const vars = Object.fromEntries(['SKIFF_ROOT', 'SKIFF_RUNROOT', 'SKIFF_CONFIG'].map((k) => [k, env.env[k]!]));
  terminal('skiff', [process.execPath, env.bin, 'exec', '-it', '--detach-keys', 'ctrl-x', 'box', 'sh'], vars);
  await prompt('skiff');
  tmux(['-L', TMUX, 'send-keys', '-t', 'skiff', 'echo in-$((6*7))', 'Enter']);
  await expectScreen('skiff', /^in-42$/m);
  tmux(['-L', TMUX, 'send-keys', '-t', 'skiff', 'C-x']);
  await expectScreen('skiff', /CLI-EXITED=0/);
  // Both shells run on.
  assert.equal(shells(), before + 2);
});
