// Rootless networking, run as a real user who is not root: slirp4netns as the default network,
// `-p` from the host into the container, outbound connections to the host, `--network none`,
// user networks (netavark and aardvark-dns in the user's rootless netns), and nothing of it
// (slirp4netns, aardvark-dns, the netns and their mounts) left once the containers are gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { skipped, root, tool, need } from '../../helpers/requires.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { cliReachable, makeUser, type RootlessUser } from './fixtures.js';

const tunOpen = () => {
  let ok = false;
  try {
    ok = (statSync('/dev/net/tun').mode & 0o006) === 0o006;
  } catch {
    ok = false;
  }
  return need(ok, '/dev/net/tun readable and writable by every user', 'scripts/setup.sh makes it 0666, as Debian\'s udev rules do');
};
const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), tool('runc'), tool('conmon'), tool('busybox'), tool('slirp4netns'), tunOpen(), cliReachable()];

let work: string;
let tar: string;

before(() => {
  work = mkdtempSync('/tmp/skiff-rootless-net-');
  chmodSync(work, 0o755);
  const rootfs = join(work, 'rootfs');
  mkdirSync(rootfs);
  makeBusyboxRootfs(rootfs);
  mkdirSync(join(rootfs, 'www'));
  writeFileSync(join(rootfs, 'www', 'index.html'), 'served from a rootless container\n');
  tar = tarDir(rootfs, join(work, 'bb.tar'));
  chmodSync(tar, 0o644);
});
after(() => removeTree(work));

async function withUser(fn: (u: RootlessUser) => Promise<void> | void): Promise<void> {
  const u = makeUser();
  try {
    u.ok(['import', tar, 'bb:1']);
    await fn(u);
  } finally {
    u.cleanup();
  }
}

/** A port nothing listens on now (the kernel's pick, released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** GET, again while the server in the container is not listening yet. */
async function get(url: string): Promise<{ status: number; body: string }> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(url);
      return { status: r.status, body: await r.text() };
    } catch (e) {
      last = e;
      await delay(100);
    }
  }
  throw last;
}

/** slirp4netns processes of this user (real uid), from /proc. */
function slirpProcesses(u: RootlessUser): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (/^Name:\s+slirp4netns$/m.test(status) && !/^State:\s+Z/m.test(status) && Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === u.uid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** What a container's network leaves: slirp4netns processes, netns files, netns mounts in the user's namespace. */
function leftovers(u: RootlessUser, id: string): { slirp: number[]; netnsFiles: string[]; mounts: string[] } {
  const dir = `/tmp/skiff-${u.uid}/netns`;
  return {
    slirp: slirpProcesses(u),
    netnsFiles: existsSync(dir) ? readdirSync(dir) : [],
    mounts: u.ok(['unshare', 'cat', '/proc/self/mountinfo']).split('\n').filter((l) => l.includes(id)),
  };
}

/** The host's first address that is not loopback: a host-side listener the container can reach without allow_host_loopback. */
function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

test('run -d -p HOSTPORT:80 with busybox httpd as a user who is not root: a GET from the host returns the page; rm -f leaves no slirp4netns, netns file or mount', async (t) => {
  if (skipped(t, ...needs())) return;
  await withUser(async (u) => {
    const port = await freePort();
    const id = u.ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'bb:1', 'httpd', '-f', '-p', '80', '-h', '/www']).trim();
    assert.equal(u.ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'web']).trim(), 'slirp4netns');
    assert.match(u.ok(['ps', '--format', '{{.Ports}}']), new RegExp(`0\\.0\\.0\\.0:${port}->80/tcp`));
    const r = await get(`http://127.0.0.1:${port}/`);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'served from a rootless container\n');
    assert.equal(slirpProcesses(u).length, 1);
    u.ok(['rm', '-f', 'web']);
    assert.deepEqual(leftovers(u, id), { slirp: [], netnsFiles: [], mounts: [] });
  });
});

test('the default network gives the container tap0 with 10.0.2.100/24 and slirp4netns\'s resolver; outbound TCP reaches a listener on the host\'s address, and 10.0.2.2 reaches host loopback only with allow_host_loopback=true', async (t) => {
  const addr = hostAddress();
  if (skipped(t, ...needs(), need(addr !== undefined, 'a host address other than loopback', 'a network interface'))) return;
  await withUser(async (u) => {
    const port = await freePort();
    // A listener of its own process: u.ok blocks this one's event loop.
    const listener = spawn('busybox', ['nc', '-ll', '-p', String(port), '-e', 'echo', 'reached the host'], { stdio: 'ignore' });
    try {
      await delay(200);
      const out = u.ok(['run', '--rm', 'bb:1', 'sh', '-c', `ip -4 -o addr show tap0 | awk '{print $4}'; grep nameserver /etc/resolv.conf; nc -w 5 ${addr} ${port}`]);
      assert.equal(out, `10.0.2.100/24\nnameserver 10.0.2.3\nreached the host\n`);
      const denied = u.run(['run', '--rm', 'bb:1', 'nc', '-w', '3', '10.0.2.2', String(port)]);
      assert.notEqual(denied.code, 0);
      assert.equal(u.ok(['run', '--rm', '--network', 'slirp4netns:allow_host_loopback=true', 'bb:1', 'nc', '-w', '5', '10.0.2.2', String(port)]), 'reached the host\n');
    } finally {
      listener.kill('SIGKILL');
    }
  });
});

test('--network none still has only lo, and a container that exits on its own leaves no slirp4netns (conmon\'s exit cleanup)', async (t) => {
  if (skipped(t, ...needs())) return;
  await withUser(async (u) => {
    assert.deepEqual(
      u.ok(['run', '--rm', '--network', 'none', 'bb:1', 'ls', '/sys/class/net']).trim().split(/\s+/),
      ['lo'],
    );
    const id = u.ok(['run', '-d', 'bb:1', 'true']).trim();
    for (let i = 0; i < 300 && u.ok(['inspect', '-f', '{{.State.Status}}', id]).trim() !== 'exited'; i++) await delay(100);
    // conmon's exit command records the exit, then tears the network down: wait for both.
    for (let i = 0; i < 300 && slirpProcesses(u).length > 0; i++) await delay(100);
    assert.deepEqual(leftovers(u, id), { slirp: [], netnsFiles: [], mounts: [] });
  });
});

test('an unknown slirp4netns option and pasta are refused at create', async (t) => {
  if (skipped(t, ...needs())) return;
  await withUser((u) => {
    const bad = u.run(['run', '--rm', '--network', 'slirp4netns:nosuch=1', 'bb:1', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /unknown or invalid slirp4netns option "nosuch=1"/);
    const pasta = u.run(['run', '--rm', '--network', 'pasta', 'bb:1', 'true']);
    assert.equal(pasta.code, 125);
    assert.match(pasta.stderr, /pasta: not implemented yet/);
    assert.equal(u.ok(['ps', '-a', '-q']), '');
  });
});

test("the docker CLI against the user's system service: docker run -d -p serves the page to the host, containers on a network made with docker network create reach each other by name, docker rm -f leaves no slirp4netns", async (t) => {
  if (skipped(t, ...needs(), tool('docker'))) return;
  await withUser(async (u) => {
    const sock = `/tmp/skiff-${u.uid}/skiff.sock`;
    const service = u.spawn(['system', 'service', '--time', '0']);
    try {
      for (let i = 0; i < 300 && !existsSync(sock); i++) await delay(100);
      const docker = (cmd: string) => u.sh(`docker ${cmd}`, { env: { DOCKER_HOST: `unix://${sock}` } });
      const port = await freePort();
      const run = docker(`run -d --name web -p ${port}:80 bb:1 httpd -f -p 80 -h /www`);
      assert.equal(run.code, 0, run.stderr);
      const r = await get(`http://127.0.0.1:${port}/`);
      assert.equal(r.body, 'served from a rootless container\n');
      assert.equal(docker(`port web 80/tcp`).stdout.trim(), `0.0.0.0:${port}`);
      const rm = docker('rm -f web');
      assert.equal(rm.code, 0, rm.stderr);
      assert.deepEqual(slirpProcesses(u), []);
      // a user network made through the API: names resolve between its containers
      assert.equal(docker('network create apinet').code, 0);
      const srv = docker('run -d --name srv --network apinet bb:1 httpd -f -p 80 -h /www');
      assert.equal(srv.code, 0, srv.stderr);
      let page = '';
      for (let i = 0; i < 50 && page === ''; i++) {
        const r = docker('run --rm --network apinet bb:1 wget -qO- http://srv/');
        if (r.code === 0) page = r.stdout;
        else await delay(200);
      }
      assert.equal(page, 'served from a rootless container\n');
      assert.equal(docker('rm -f srv').code, 0);
      assert.deepEqual(slirpProcesses(u), []);
    } finally {
      service.kill('SIGTERM');
    }
  });
});

test('on a user network: -p serves the page to the host, two containers reach each other by name (aardvark-dns in the rootless netns) and reach out to the host; rm -f of both leaves no slirp4netns, aardvark-dns or netns', async (t) => {
  const addr = hostAddress();
  if (skipped(t, ...needs(), need(addr !== undefined, 'a host address other than loopback', 'a network interface'))) return;
  await withUser(async (u) => {
    const port = await freePort();
    const listener = spawn('busybox', ['nc', '-ll', '-p', String(port), '-e', 'echo', 'reached the host'], { stdio: 'ignore' });
    try {
      u.ok(['network', 'create', 'appnet']);
      const published = await freePort();
      const srv = u.ok(['run', '-d', '--name', 'srv', '--network', 'appnet', '-p', `${published}:80`, 'bb:1', 'httpd', '-f', '-p', '80', '-h', '/www']).trim();
      // from the host: the rootless netns's slirp4netns listens, netavark's rules there forward
      assert.equal((await get(`http://127.0.0.1:${published}/`)).body, 'served from a rootless container\n');
      let page = '';
      for (let i = 0; i < 50 && page === ''; i++) {
        const r = u.run(['run', '--rm', '--network', 'appnet', 'bb:1', 'wget', '-qO-', 'http://srv/']);
        if (r.code === 0) page = r.stdout;
        else await delay(200);
      }
      assert.equal(page, 'served from a rootless container\n');
      const cli = u.ok(['run', '-d', '--name', 'cli', '--network', 'appnet', 'bb:1', 'sleep', '600']).trim();
      assert.equal(u.ok(['exec', 'cli', 'nc', '-w', '5', addr!, String(port)]), 'reached the host\n');
      assert.match(u.ok(['exec', 'srv', 'nslookup', 'cli']), new RegExp(u.ok(['inspect', '-f', '{{.NetworkSettings.Networks.appnet.IPAddress}}', 'cli']).trim().replace(/\./g, '\\.')));
      u.ok(['rm', '-f', 'srv', 'cli']);
      const names = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const userProcs = () => readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            const st = readFileSync(`/proc/${d}/status`, 'utf8');
            return Number(/^Uid:\s+(\d+)/m.exec(st)?.[1]) === u.uid && !/^State:\s+Z/m.test(st);
          } catch {
            return false;
          }
        })
        .map((d) => names(Number(d)))
        .filter((n) => n !== 'catatonit');
      // A monitor outlives `rm -f` by its exit command (conmon runs `container cleanup`, a Node
      // process, once the container is gone): both leave on their own, within seconds.
      let left = userProcs();
      for (let i = 0; i < 75 && left.length; i++) {
        await delay(200);
        left = userProcs();
      }
      assert.deepEqual(left, []);
      assert.deepEqual(leftovers(u, srv), { slirp: [], netnsFiles: [], mounts: [] });
      assert.deepEqual(leftovers(u, cli).mounts, []);
    } finally {
      listener.kill('SIGKILL');
    }
  });
});
