// `skiff system service [--time N] [URI]` with the real docker CLI and curl: the unix socket's
// mode and group, stale and live sockets, TCP only with TLS (or plain on loopback), client
// certificates, idleness counted over streams and hijacked connections, SIGTERM under load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerEnv, IMAGE, waitFor, type ContainerEnv } from '../containers/fixtures.js';
import { type RunResult } from '../../helpers/env.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'), tool('openssl'), tool('curl'));

let env: ContainerEnv;
const started = new Set<ChildProcess>();

interface Service {
  proc: ChildProcess;
  log(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  running(): boolean;
}

function serve(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Service {
  const proc = spawn(process.execPath, [env.bin, '--log-level', 'debug', 'system', 'service', ...args], {
    env: { ...env.env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.add(proc);
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => {
      started.delete(proc);
      resolve(code ?? signal ?? -1);
    }),
  );
  return { proc, log: () => log, exited, running: () => proc.exitCode === null && proc.signalCode === null };
}

/** Runs a service that must refuse to start: its exit code and stderr. */
function refuse(args: string[], extraEnv: NodeJS.ProcessEnv = {}): RunResult {
  // --time 1: should it start after all, it still ends by itself
  const r = spawnSync(process.execPath, [env.bin, 'system', 'service', '--time', '1', ...args], {
    env: { ...env.env, ...extraEnv },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Ready once it says so (after the socket's group and mode are set), and the socket answers. */
async function listeningOn(svc: Service, socket: string): Promise<void> {
  const ready = async () => (!svc.running() ? false : svc.log().includes(`listening on unix://${socket}`) && (await answers(socket)) ? true : undefined);
  await waitFor(ready, 15_000, 'the API socket').then(
    (up) => assert.ok(up, `the service exited: ${svc.log()}`),
    (e: Error) => assert.fail(`${e.message}: ${svc.log()}`),
  );
}

/** The port a tcp:// service bound (it logs its address at debug level). */
async function tcpPort(svc: Service): Promise<number> {
  const port = await waitFor(() => /listening on tcp:\/\/[^:]+:(\d+)/.exec(svc.log())?.[1] ?? (!svc.running() ? '' : undefined), 15_000, 'the TCP listener');
  assert.ok(port, `the service exited: ${svc.log()}`);
  return Number(port);
}

function exitWithin(svc: Service, ms: number): Promise<number | string> {
  return Promise.race([svc.exited, sleep(ms).then(() => 'still running')]);
}

function dockerEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: env.dir, DOCKER_CONFIG: join(env.dir, 'docker-config'), ...extra };
}

function docker(args: string[], extra: NodeJS.ProcessEnv): RunResult {
  const r = spawnSync('docker', args, { env: dockerEnv(extra), encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** A long-running docker client (events, exec -i) whose stdin stays open until ended. */
function dockerStream(args: string[], extra: NodeJS.ProcessEnv): { proc: ChildProcess; out(): string; exited: Promise<number | null> } {
  const proc = spawn('docker', args, { env: dockerEnv(extra), stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => (started.delete(proc), resolve(code))));
  return { proc, out: () => out, exited };
}

async function echoed(client: { out(): string }, word: string, svc: Service): Promise<void> {
  await waitFor(() => (client.out().includes(word) ? true : undefined), 10_000, `the exec to echo ${word}`).catch((e: Error) =>
    assert.fail(`${e.message}: ${client.out()}\n${svc.log()}`),
  );
}

function curl(args: string[]): RunResult {
  const r = spawnSync('curl', ['-sS', '--max-time', '10', ...args], { encoding: 'utf8', timeout: 15_000 });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  if (skip) return;
  env = containerEnv('skiff-api-svc-');
});

after(async () => {
  if (skip) return;
  for (const p of started) p.kill('SIGKILL');
  await env.teardown();
});

test('--help names the default socket, unix:///run/skiff/skiff.sock', { skip }, () => {
  const r = env.run(['system', 'service', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(default: "unix:\/\/\/run\/skiff\/skiff\.sock"\)/);
  assert.match(r.stdout, /--group <name\|gid>/);
});

test('unix socket: mode 0660 owned by root, group from --group, SKIFF_SOCKET_GROUP or skiff.conf', { skip }, async () => {
  const conf = join(env.dir, 'service-group.conf');
  writeFileSync(conf, '[storage]\ndriver = "overlay"\n[service]\nsocket_group = 7\n');
  const cases: { args: string[]; env?: NodeJS.ProcessEnv; gid: number }[] = [
    { args: [], gid: 0 },
    { args: ['--group', '4242'], gid: 4242 },
    { args: ['--group', 'adm'], gid: 4 },
    { args: [], env: { SKIFF_SOCKET_GROUP: 'daemon' }, gid: 1 },
    { args: [], env: { SKIFF_CONFIG: conf }, gid: 7 },
    // the flag wins over the environment, which wins over the file
    { args: ['--group', '4243'], env: { SKIFF_SOCKET_GROUP: 'daemon', SKIFF_CONFIG: conf }, gid: 4243 },
    { args: [], env: { SKIFF_SOCKET_GROUP: '4244', SKIFF_CONFIG: conf }, gid: 4244 },
  ];
  await Promise.all(
    cases.map(async (c, i) => {
      const socket = join(env.dir, `group-${i}.sock`);
      const svc = serve(['--time', '0', ...c.args, `unix://${socket}`], c.env);
      try {
        await listeningOn(svc, socket);
        const st = statSync(socket);
        assert.ok(st.isSocket());
        assert.equal(st.mode & 0o7777, 0o660, `mode of ${c.args.join(' ')} ${JSON.stringify(c.env)}`);
        assert.equal(st.uid, 0);
        assert.equal(st.gid, c.gid, `group of ${c.args.join(' ')} ${JSON.stringify(c.env)}`);
      } finally {
        svc.proc.kill('SIGTERM');
        assert.equal(await svc.exited, 0, svc.log());
      }
      assert.ok(!existsSync(socket), 'the socket is removed on SIGTERM');
    }),
  );
  const r = refuse(['--group', 'no-such-group-here', `unix://${join(env.dir, 'nogroup.sock')}`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Error: no such group: no-such-group-here$/m);
});

test('a stale socket is replaced, a live one refused (exit 125), a non-socket file kept', { skip }, async () => {
  const socket = join(env.dir, 'stale.sock');
  const dead = serve(['--time', '0', `unix://${socket}`]);
  await listeningOn(dead, socket);
  dead.proc.kill('SIGKILL');
  await dead.exited;
  assert.ok(statSync(socket).isSocket(), 'SIGKILL leaves the socket file behind');
  assert.equal(await answers(socket), false);

  const live = serve(['--time', '0', `unix://${socket}`]);
  try {
    await listeningOn(live, socket);
    assert.equal(docker(['version', '--format', '{{.Server.APIVersion}}'], { DOCKER_HOST: `unix://${socket}` }).stdout.trim(), '1.41');

    const second = refuse([`unix://${socket}`]);
    assert.equal(second.code, 125, second.stderr);
    assert.match(second.stderr, new RegExp(`^Error: another service is already listening on ${socket}$`, 'm'));
    // the refused service left the live one's socket alone
    const again = docker(['ps', '-q'], { DOCKER_HOST: `unix://${socket}` });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    live.proc.kill('SIGTERM');
    assert.equal(await live.exited, 0, live.log());
  }

  const file = join(env.dir, 'not-a-socket');
  writeFileSync(file, 'keep me\n');
  const r = refuse([`unix://${file}`]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /exists and is not a socket/);
  assert.ok(statSync(file).isFile(), 'a regular file at the path is never deleted');
});

test('tcp:// needs TLS; --insecure-tcp serves loopback only', { skip }, async () => {
  const plain = refuse(['tcp://127.0.0.1:0']);
  assert.equal(plain.code, 125);
  assert.match(plain.stderr, /^Error: tcp:\/\/ needs --tls-cert and --tls-key/m);
  // everything, and the host's own first non-loopback IPv4 address (eth0's)
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  const hosts = ['0.0.0.0', ...(external ? [external.address] : [])];
  for (const host of hosts) {
    const r = refuse(['--insecure-tcp', `tcp://${host}:0`]);
    assert.equal(r.code, 125, `--insecure-tcp on ${host}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^Error: --insecure-tcp only serves a loopback address .*not ${host.replace(/\./g, '\\.')}`, 'm'));
  }
  assert.match(refuse(['--insecure-tcp', `unix://${join(env.dir, 'x.sock')}`]).stderr, /--insecure-tcp applies to tcp:\/\/ only/);
  assert.match(refuse(['--tls-cert', '/nonexistent.pem', 'tcp://127.0.0.1:0']).stderr, /--tls-cert and --tls-key go together/);
  assert.match(refuse(['--tls-verify', '/nonexistent.pem', 'tcp://127.0.0.1:0']).stderr, /--tls-verify needs --tls-cert and --tls-key/);
  const missing = refuse(['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem', 'tcp://127.0.0.1:0']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /^Error: reading --tls-cert \/nonexistent\/cert\.pem: ENOENT/m);
  assert.match(refuse(['http://127.0.0.1:1']).stderr, /^Error: unsupported service URI http:\/\/127\.0\.0\.1:1/m);

  const svc = serve(['--time', '0', '--insecure-tcp', 'tcp://127.0.0.1:0']);
  try {
    const port = await tcpPort(svc);
    const v = docker(['version', '--format', '{{.Server.APIVersion}}'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), '1.41');
  } finally {
    svc.proc.kill('SIGTERM');
    assert.equal(await svc.exited, 0, svc.log());
  }
});

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as docker's DOCKER_CERT_PATH wants them. */
function makeCerts(dir: string): { server: string; client: string } {
  const server = join(dir, 'server');
  const client = join(dir, 'client');
  mkdirSync(server, { recursive: true });
  mkdirSync(client, { recursive: true });
  const ssl = (args: string[], input?: string) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', input });
    assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(['req', '-x509', ...key, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=skiff test CA']);
  ssl(['req', ...key, '-keyout', join(server, 'key.pem'), '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const sign = (csr: string, ext: string, out: string) =>
    ssl(['x509', '-req', '-in', csr, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', out]);
  sign('server.csr', 'server.ext', join(server, 'cert.pem'));
  ssl(['req', ...key, '-keyout', join(client, 'key.pem'), '-out', 'client.csr', '-subj', '/CN=client']);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  sign('client.csr', 'client.ext', join(client, 'cert.pem'));
  ssl(['x509', '-in', 'ca.pem', '-out', join(client, 'ca.pem')]);
  return { server, client };
}

test('tcp:// with TLS: the docker CLI over DOCKER_TLS_VERIFY; --tls-verify rejects clients without a certificate', { skip }, async () => {
  const dir = join(env.dir, 'tls');
  const { server, client } = makeCerts(dir);
  const ca = join(dir, 'ca.pem');
  const tls = ['--tls-cert', join(server, 'cert.pem'), '--tls-key', join(server, 'key.pem')];
  const verified = serve(['--time', '0', ...tls, '--tls-verify', ca, 'tcp://127.0.0.1:0']);
  const open = serve(['--time', '0', ...tls, 'tcp://localhost:0']);
  try {
    const port = await tcpPort(verified);
    const clientEnv = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: client };
    const v = docker(['version', '--format', '{{.Server.APIVersion}}'], clientEnv);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), '1.41');
    const ps = docker(['ps', '-a', '--format', '{{.ID}}'], clientEnv);
    assert.equal(ps.code, 0, ps.stderr);

    const url = `https://127.0.0.1:${port}/_ping`;
    const anonymous = curl(['--cacert', ca, url]);
    assert.notEqual(anonymous.code, 0, 'a client without a certificate must be rejected');
    assert.notEqual(anonymous.stdout, 'OK');
    const withCert = curl(['--cacert', ca, '--cert', join(client, 'cert.pem'), '--key', join(client, 'key.pem'), url]);
    assert.equal(withCert.code, 0, withCert.stderr);
    assert.equal(withCert.stdout, 'OK');
    // plain HTTP on the TLS port gets nowhere either
    assert.notEqual(curl([`http://127.0.0.1:${port}/_ping`]).stdout, 'OK');

    // without --tls-verify any client that trusts the server's certificate may talk
    const openPort = await tcpPort(open);
    const anyone = curl(['--cacert', ca, `https://localhost:${openPort}/_ping`]);
    assert.equal(anyone.code, 0, anyone.stderr);
    assert.equal(anyone.stdout, 'OK');
  } finally {
    verified.proc.kill('SIGTERM');
    open.proc.kill('SIGTERM');
    assert.equal(await verified.exited, 0, verified.log());
    assert.equal(await open.exited, 0, open.log());
  }
});

test('--time N: exits 0 after N idle seconds and removes its socket', { skip }, async () => {
  const socket = join(env.dir, 'idle.sock');
  const t0 = Date.now();
  const svc = serve(['--time', '1', `unix://${socket}`]);
  await listeningOn(svc, socket);
  const up = Date.now() - t0;
  assert.equal(await exitWithin(svc, 15_000), 0, svc.log());
  const lived = Date.now() - t0 - up;
  // Not before its idle second; the upper bound only says it did exit on its own, load aside.
  assert.ok(lived >= 700 && lived < 15_000, `idle exit after ${lived} ms (start-up ${up} ms)`);
  assert.ok(!existsSync(socket), 'the socket is removed on the idle exit');
});

test('--time N: requests, an event stream and a hijacked exec keep the service alive; then it exits', { skip }, async () => {
  const cid = env.ok(['run', '-d', IMAGE, 'sleep', '600']).trim();
  const socket = join(env.dir, 'busy.sock');
  const host = { DOCKER_HOST: `unix://${socket}` };
  // 3 s of idleness: wide enough that a loaded machine's slow curl start never looks like idleness.
  const svc = serve(['--time', '3', `unix://${socket}`]);
  await listeningOn(svc, socket);

  // short requests, one every 300 ms, for twice the idle time
  for (let i = 0; i < 14; i++) {
    assert.equal(curl(['--unix-socket', socket, 'http://d/_ping']).stdout, 'OK', svc.log());
    await sleep(300);
  }
  assert.ok(svc.running(), 'repeated requests count as activity');

  // a streamed response (events) with nothing else going on
  const events = dockerStream(['events'], host);
  await sleep(4500);
  assert.ok(svc.running(), `an open event stream counts as activity: ${svc.log()}`);
  events.proc.kill('SIGTERM');
  await events.exited;

  // a hijacked exec session: only the upgraded connection is open while it idles
  const exec = dockerStream(['exec', '-i', cid, 'cat'], host);
  exec.proc.stdin!.write('ping\n');
  await echoed(exec, 'ping', svc);
  await sleep(4500);
  assert.ok(svc.running(), `a hijacked exec counts as activity: ${svc.log()}`);
  exec.proc.stdin!.write('pong\n');
  await echoed(exec, 'pong', svc);
  exec.proc.stdin!.end();
  assert.equal(await exec.exited, 0, exec.out());

  // nothing open any more: idle exit
  assert.equal(await exitWithin(svc, 10_000), 0, svc.log());
  assert.ok(!existsSync(socket));
  env.ok(['rm', '-f', cid]);
});

test('--time 0 runs until SIGTERM, which stops it promptly even with a stream and a hijacked exec open', { skip }, async () => {
  const cid = env.ok(['run', '-d', IMAGE, 'sleep', '600']).trim();
  const socket = join(env.dir, 'term.sock');
  const host = { DOCKER_HOST: `unix://${socket}` };
  const svc = serve(['--time', '0', `unix://${socket}`]);
  await listeningOn(svc, socket);
  const events = dockerStream(['events'], host);
  const exec = dockerStream(['exec', '-i', cid, 'cat'], host);
  exec.proc.stdin!.write('ping\n');
  await echoed(exec, 'ping', svc);
  // idleness does not end a --time 0 service
  await sleep(1500);
  assert.ok(svc.running());

  const t0 = Date.now();
  svc.proc.kill('SIGTERM');
  const code = await exitWithin(svc, 3000);
  assert.equal(code, 0, `SIGTERM with open connections: ${code} ${svc.log()}`);
  assert.ok(Date.now() - t0 < 3000);
  assert.ok(!existsSync(socket), 'the socket is removed on SIGTERM');
  // the clients see their connections end
  assert.notEqual(await Promise.race([events.exited, sleep(5000).then(() => 'open')]), 'open', 'docker events still running');
  exec.proc.stdin!.end();
  assert.notEqual(await Promise.race([exec.exited, sleep(5000).then(() => 'open')]), 'open', 'docker exec still running');
  env.ok(['rm', '-f', cid]);
});
