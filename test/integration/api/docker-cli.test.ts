// The real docker CLI against `skiff system service`: run (output, exit codes, stdin), the
// detached life of a container (logs -f, exec, stop, rm), ps, inspect, cp both ways, -p with a
// real HTTP request, and events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let env: ApiEnv;

before(async () => {
  if (!skip) env = await apiEnv('skiff-api-cli-');
});
after(async () => {
  await env?.stop();
});

function httpGet(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => (req.destroy(), resolve(undefined)));
    req.end();
  });
}

test('version and info', { skip }, () => {
  const v = env.dockerOk(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
  assert.equal(v.trim(), '1.41 linux');
  const info = env.dockerOk(['info', '--format', '{{.OSType}} {{.Images}}']);
  assert.match(info, /^linux [1-9]/);
});

test('run --rm prints the output and exits with the container status', { skip }, () => {
  const r = env.docker(['run', '--rm', IMAGE, 'echo', 'hi']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hi\n');
  const five = env.docker(['run', '--rm', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 5']);
  assert.equal(five.code, 5, five.stderr);
  assert.equal(five.stdout, 'out\n');
  assert.match(five.stderr, /^err$/m);
  assert.equal(env.dockerOk(['ps', '-aq']), '', '--rm containers are gone');
});

test('a command that cannot run: 127 when missing, 126 when not executable', { skip }, () => {
  const missing = env.docker(['run', '--rm', IMAGE, 'nosuchcmd']);
  assert.equal(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /executable file not found/);
  const notExec = env.docker(['run', '--rm', IMAGE, '/etc/passwd']);
  assert.equal(notExec.code, 126, notExec.stderr);
  assert.equal(env.dockerOk(['ps', '-aq']), '', 'failed --rm containers are removed');
});

test('stdin reaches the container (run -i) and its end closes it', { skip }, () => {
  const r = env.docker(['run', '--rm', '-i', IMAGE, 'sh', '-c', 'cat; echo done'], { input: 'x\ny\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'x\ny\ndone\n');
});

test('run -d, logs -f, exec, ps, inspect, stop, rm', { skip }, async () => {
  const id = env.dockerOk(['run', '-d', '--name', 'demo', '--label', 'tier=web', IMAGE, 'sh', '-c', 'i=0; while [ $i -lt 1000 ]; do echo line $i; i=$((i+1)); sleep 0.2; done']).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  // logs -f keeps streaming: read until three lines arrived, then stop the client.
  const follower = spawn('docker', ['logs', '-f', 'demo'], { env: env.clientEnv });
  let out = '';
  follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => (out.split('\n').length > 3 ? true : undefined), 10_000, 'three followed lines');
  follower.kill();
  assert.match(out, /^line 0\nline 1\nline 2\n/);

  assert.equal(env.dockerOk(['exec', 'demo', 'echo', 'from-exec']), 'from-exec\n');
  assert.equal(env.docker(['exec', 'demo', 'sh', '-c', 'exit 7']).code, 7);
  assert.equal(env.dockerOk(['exec', '-i', 'demo', 'cat'], 'piped\n'), 'piped\n');
  assert.equal(env.dockerOk(['exec', '-e', 'A=b', '-w', '/tmp', 'demo', 'sh', '-c', 'echo $A $(pwd)']), 'b /tmp\n');

  const ps = env.dockerOk(['ps', '--format', '{{.Names}} {{.Status}} {{.Labels}}']);
  assert.match(ps, /^demo Up (Less than a second|\d+ seconds?) tier=web$/m);
  const doc = JSON.parse(env.dockerOk(['inspect', 'demo']))[0];
  assert.equal(doc.Id, id);
  assert.equal(doc.Name, '/demo');
  assert.equal(doc.State.Running, true);
  assert.equal(doc.Config.Labels.tier, 'web');

  env.dockerOk(['stop', '-t', '1', 'demo']);
  assert.equal(env.dockerOk(['inspect', '-f', '{{.State.Status}}', 'demo']).trim(), 'exited');
  // A second stop is a 304, which the CLI takes as success.
  env.dockerOk(['stop', 'demo']);
  assert.match(env.dockerOk(['ps', '-a', '--format', '{{.Names}} {{.Status}}']), /^demo Exited \(137\) /m);
  env.dockerOk(['rm', 'demo']);
  assert.equal(env.dockerOk(['ps', '-aq']), '');
  const gone = env.docker(['inspect', 'demo']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such object: demo/);
});

test('rm refuses a running container unless forced; kill on a stopped one is a conflict', { skip }, () => {
  env.dockerOk(['run', '-d', '--name', 'busy', IMAGE, 'sleep', '300']);
  const rm = env.docker(['rm', 'busy']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /cannot remove a running container/);
  env.dockerOk(['kill', 'busy']);
  const again = env.docker(['kill', 'busy']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is not running/);
  env.dockerOk(['rm', '-f', 'busy']);
});

test('cp into and out of a container, files and directories', { skip }, () => {
  env.dockerOk(['run', '-d', '--name', 'cpbox', IMAGE, 'sleep', '300']);
  const host = join(env.dir, 'cp');
  mkdirSync(join(host, 'dir'), { recursive: true });
  writeFileSync(join(host, 'file.txt'), 'from the host\n');
  writeFileSync(join(host, 'dir', 'inner'), 'inner\n');
  env.dockerOk(['cp', join(host, 'file.txt'), 'cpbox:/tmp/']);
  env.dockerOk(['cp', join(host, 'dir'), 'cpbox:/tmp/dir']);
  assert.equal(env.dockerOk(['exec', 'cpbox', 'cat', '/tmp/file.txt', '/tmp/dir/inner']), 'from the host\ninner\n');
  env.dockerOk(['exec', 'cpbox', 'sh', '-c', 'mkdir -p /out/sub && echo made > /out/sub/f']);
  env.dockerOk(['cp', 'cpbox:/out', join(host, 'back')]);
  assert.equal(readFileSync(join(host, 'back', 'sub', 'f'), 'utf8'), 'made\n');
  env.dockerOk(['cp', 'cpbox:/etc/passwd', join(host, 'passwd')]);
  assert.match(readFileSync(join(host, 'passwd'), 'utf8'), /^root:/);
  const missing = env.docker(['cp', 'cpbox:/nope', host]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Could not find the file \/nope/);
  env.dockerOk(['rm', '-f', 'cpbox']);
});

test('run -p publishes a port that answers a real HTTP request', { skip }, async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  env.dockerOk([
    'run', '-d', '--name', 'web', '-p', `127.0.0.1:${port}:8080`, IMAGE,
    'sh', '-c', 'mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 8080 -h /www',
  ]);
  const body = await waitFor(() => httpGet(port), 10_000, 'the published port to answer');
  assert.equal(body, 'served\n');
  assert.equal(env.dockerOk(['port', 'web']).trim(), `8080/tcp -> 127.0.0.1:${port}`);
  env.dockerOk(['rm', '-f', 'web']);
  assert.equal(await httpGet(port), undefined);
});

test('events: a run is create, attach, start, die, destroy; --since reads them back', { skip }, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  // The live stream ends at --until: far enough off that a loaded machine's run --rm ends before it.
  const live = env.dockerAsync(['events', '--filter', 'type=container', '--filter', 'label=evt=1', '--format', '{{.Action}}', '--since', String(since), '--until', String(since + 25)]);
  env.dockerOk(['run', '--rm', '--label', 'evt=1', IMAGE, 'true']);
  const past = env.dockerOk(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'label=evt=1', '--format', '{{.Action}}']);
  assert.deepEqual(past.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
  const die = JSON.parse(
    env.dockerOk(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'event=die', '--filter', 'label=evt=1', '--format', '{{json .}}']),
  );
  assert.equal(die.Actor.Attributes.exitCode, '0');
  assert.equal(die.status, 'die');
  assert.equal(die.from, IMAGE);
  // The same log, read by the skiff CLI in a process of its own.
  const cli = env.ok(['events', '--since', String(since), '--until', '0s', '--filter', 'label=evt=1', '--format', '{{.Action}}']);
  assert.deepEqual(cli.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
  const streamed = await live;
  assert.deepEqual(streamed.stdout.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
});

test('events: image tag and untag through the docker CLI, with the legacy status and id', { skip }, () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = env.dockerOk(['image', 'inspect', '-f', '{{.Id}}', IMAGE]).trim();
  env.dockerOk(['tag', IMAGE, 'evtag:one']);
  env.dockerOk(['rmi', 'evtag:one']);
  const until = String(Math.ceil(Date.now() / 1000));
  const lines = env.dockerOk(['events', '--since', String(since), '--until', until, '--filter', 'type=image', '--format', '{{json .}}']);
  const evs = lines.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(
    evs.map((e) => [e.Type, e.Action, e.Actor.ID, e.Actor.Attributes.name, e.status, e.id]),
    [
      ['image', 'tag', id, 'evtag:one', 'tag', id],
      ['image', 'untag', id, id, 'untag', id],
    ],
  );
  const byName = env.dockerOk(['events', '--since', String(since), '--until', until, '--filter', 'image=evtag', '--format', '{{.Action}}']);
  assert.equal(byName, 'tag\n');
});

test('ps --filter before, since, volume, network and exited over the API', { skip }, () => {
  env.dockerOk(['network', 'create', 'psfnet']);
  env.dockerOk(['create', '--name', 'psf1', '--network', 'none', '-v', 'psfvol:/data', IMAGE, 'true']);
  env.dockerOk(['create', '--name', 'psf2', '--network', 'psfnet', IMAGE, 'true']);
  env.dockerOk(['run', '--name', 'psf3', '--network', 'none', IMAGE, 'true']);
  const names = (...f: string[]) =>
    env.dockerOk(['ps', '-a', ...f.flatMap((x) => ['--filter', x]), '--format', '{{.Names}}']).split('\n').filter((n) => n.startsWith('psf')).sort();
  assert.deepEqual(names('before=psf3'), ['psf1', 'psf2']);
  assert.deepEqual(names('since=psf1'), ['psf2', 'psf3']);
  assert.deepEqual(names('volume=psfvol'), ['psf1']);
  assert.deepEqual(names('volume=/data'), ['psf1']);
  assert.deepEqual(names('network=psfnet'), ['psf2']);
  assert.deepEqual(names('exited=0'), ['psf3']);
  const bad = env.docker(['ps', '--filter', 'bogus=1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid filter 'bogus'/);
  env.dockerOk(['rm', 'psf1', 'psf2', 'psf3']);
  env.dockerOk(['volume', 'rm', 'psfvol']);
  env.dockerOk(['network', 'rm', 'psfnet']);
});

test('commit makes an image of a container, with --change', { skip }, () => {
  env.dockerOk(['run', '-d', '--name', 'tocommit', IMAGE, 'sh', '-c', 'echo committed > /stamp; sleep 300']);
  env.dockerOk(['exec', 'tocommit', 'test', '-f', '/stamp']);
  const id = env.dockerOk(['commit', '-c', 'ENV X=1', 'tocommit', 'snap:v1']).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(env.dockerOk(['run', '--rm', 'snap:v1', 'sh', '-c', 'cat /stamp; echo $X']), 'committed\n1\n');
  env.dockerOk(['rm', '-f', 'tocommit']);
  env.dockerOk(['rmi', 'snap:v1']);
});
