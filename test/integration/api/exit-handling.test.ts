// Container exits under the API service (issue 20): conmon tells the live service, so no second
// skiff process starts per exit; with the service gone, conmon's command falls back to the CLI.
// The service runs through a wrapper that logs every skiff process started from it, so the
// test sees which way each exit went.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { containerEnv, IMAGE, waitFor } from '../containers/fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('curl'));

const env = containerEnv('skiff-exits-');
const socket = join(env.dir, 'api.sock');
const calls = join(env.dir, 'calls.log');
const wrapper = join(env.dir, 'skiff-logged.cjs');
writeFileSync(calls, '');
writeFileSync(wrapper, `require('node:fs').appendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).join(' ') + '\\n');\nrequire(${JSON.stringify(env.bin)});\n`);
const clientEnv = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(env.dir, 'docker-config') };
let service: ChildProcess | undefined;

const docker = (args: string[]) => spawnSync('docker', args, { env: clientEnv, encoding: 'utf8', timeout: 60_000 });
const cleanups = () => readFileSync(calls, 'utf8').split('\n').filter((l) => / container cleanup /.test(` ${l} `));

async function startService(): Promise<void> {
  service = spawn(process.execPath, [wrapper, 'system', 'service', '--time', '0', `unix://${socket}`], { env: env.env, stdio: 'ignore' });
  const answers = () =>
    new Promise<boolean>((res) => {
      const s = connect(socket);
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
  await waitFor(async () => ((await answers()) ? true : undefined), 20_000, 'the API socket');
}

async function stopService(): Promise<void> {
  const s = service!;
  s.kill('SIGTERM');
  await waitFor(() => (s.exitCode !== null || s.signalCode !== null ? true : undefined), 10_000, 'the service to stop');
}

after(async () => {
  if (service && service.exitCode === null && service.signalCode === null) await stopService();
  await env.teardown();
});

test('docker run --rm through the service: the exit is handled in the service, no skiff cleanup process runs', { skip }, async () => {
  await startService();
  for (let i = 0; i < 3; i++) {
    const r = docker(['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'exit 3']);
    assert.equal(r.status, 3, r.stderr);
  }
  assert.equal(docker(['ps', '-aq']).stdout.trim(), '', 'the --rm containers are gone');
  const d = docker(['run', '-d', '--network', 'none', IMAGE, 'true']);
  assert.equal(d.status, 0, d.stderr);
  const id = d.stdout.trim();
  assert.equal(docker(['wait', id]).stdout.trim(), '0');
  assert.equal(docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id]).stdout.trim(), 'exited 0');
  assert.deepEqual(cleanups(), [], 'no `container cleanup` process was started');
  assert.equal(docker(['rm', id]).status, 0);
});

test('a container outliving the service is cleaned up, --rm and all, by the CLI when it exits', { skip }, async () => {
  const d = docker(['run', '-d', '--rm', '--network', 'none', IMAGE, 'sleep', '2']);
  assert.equal(d.status, 0, d.stderr);
  const id = d.stdout.trim();
  await stopService();
  const line = await waitFor(() => cleanups().find((l) => l.endsWith(id)), 30_000, 'the CLI cleanup of the exited container');
  assert.match(line, new RegExp(`container cleanup ${id}$`));
  // --rm is honoured: the row goes last, once that cleanup has removed the container's files.
  await waitFor(() => (existsSync(join(env.root, 'containers', id)) || env.run(['ps', '-aq', '--no-trunc']).stdout.includes(id) ? undefined : true), 30_000, 'the --rm container to be removed').catch((e: Error) => {
    throw new Error(`${e.message}: ${existsSync(join(env.root, 'containers', id))} ${env.run(['ps', '-a']).stdout} ${readFileSync(calls, 'utf8')}`);
  });
});
