// The systemd units in conf/: skiff.service's ExecStart, run under systemd-socket-activate with
// the socket skiff.socket describes, serves the docker CLI through the passed descriptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, REPO, SKIFF_BIN } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('systemd-socket-activate'), tool('docker'));

function unitValue(unit: string, key: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
  assert.ok(line, `no ${key}= in the unit`);
  return line.slice(key.length + 1);
}

test('skiff.socket and skiff.service: fd:// activation serves the API on the passed socket', { skip }, async () => {
  const socketUnit = readFileSync(join(REPO, 'conf/skiff.socket'), 'utf8');
  const serviceUnit = readFileSync(join(REPO, 'conf/skiff.service'), 'utf8');
  assert.equal(unitValue(socketUnit, 'ListenStream'), '/run/skiff/skiff.sock');
  assert.equal(unitValue(socketUnit, 'SocketMode'), '0660');
  const exec = unitValue(serviceUnit, 'ExecStart').split(' ');
  assert.deepEqual(exec, ['/usr/local/bin/skiff', 'system', 'service', '--time', '0', 'fd://']);

  const env = makeEnv('skiff-api-activate-');
  const sock = join(env.dir, 'activated.sock');
  const pass = ['SKIFF_ROOT', 'SKIFF_RUNROOT', 'SKIFF_CONFIG', 'PATH'].flatMap((k) => ['-E', `${k}=${env.env[k]}`]);
  const proc = spawn('systemd-socket-activate', ['-l', sock, ...pass, SKIFF_BIN, ...exec.slice(1)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if (statSync(sock).isSocket()) break;
      } catch {
        // not yet listening
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const docker = (args: string[]) =>
      spawnSync('docker', args, { env: { PATH: process.env.PATH, HOME: env.dir, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(env.dir, 'dc') }, encoding: 'utf8' });
    const v = docker(['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(v.status, 0, `${v.stderr}\n${log}`);
    assert.equal(v.stdout.trim(), '1.41');
    const vol = docker(['volume', 'create', 'activated']);
    assert.equal(vol.status, 0, vol.stderr);
    // the same root as the CLI's
    assert.match(env.run(['volume', 'ls']).stdout, /activated/);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    env.cleanup();
  }
});
