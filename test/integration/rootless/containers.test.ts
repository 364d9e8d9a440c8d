// Rootless containers with runc, run as a real user who is not root: import, run --rm, run -d +
// logs + exec + stop + rm, the user namespace's id mapping on files, host files the user cannot
// read, limits refused without cgroups, and two users' stores apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { skipped, root, tool } from '../../helpers/requires.js';
import { makeBusyboxRootfs, tarDir } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { cliReachable, makeUser, type RootlessUser } from './fixtures.js';

const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), tool('runc'), tool('conmon'), tool('busybox'), cliReachable()];

let work: string;
let tar: string;

before(() => {
  // Readable by every test user: 0755 dirs, 0644 tar.
  work = mkdtempSync('/tmp/skiff-rootless-');
  chmodSync(work, 0o755);
  const rootfs = join(work, 'rootfs');
  mkdirSync(rootfs);
  makeBusyboxRootfs(rootfs);
  // A file of uid 1000 in the image: unpacked, it belongs to the user's subordinate uid 1000.
  writeFileSync(join(rootfs, 'etc', 'owned-by-1000'), 'x\n');
  chownSync(join(rootfs, 'etc', 'owned-by-1000'), 1000, 1000);
  tar = tarDir(rootfs, join(work, 'bb.tar'));
  chmodSync(tar, 0o644);
});
after(() => removeTree(work));

function withUser(fn: (u: RootlessUser) => void): void {
  const u = makeUser();
  try {
    fn(u);
  } finally {
    u.cleanup();
  }
}

test('info says rootless with the overlay driver, and an imported image runs with run --rm --network none', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const info = JSON.parse(u.ok(['info', '--format', 'json'])) as { host: { security: { rootless: boolean } }; store: { graphDriverName: string } };
    assert.equal(info.host.security.rootless, true);
    assert.equal(info.store.graphDriverName, 'overlay');
    assert.equal(u.ok(['run', '--rm', '--network', 'none', 'bb:1', 'echo', 'hello from rootless']), 'hello from rootless\n');
    assert.equal(u.ok(['ps', '-a', '-q']), '');
    // the image's files are the namespace's: root's are the user's on the host, uid 1000's a subordinate uid
    assert.equal(u.ok(['run', '--rm', '--network', 'none', 'bb:1', 'stat', '-c', '%u:%g', '/bin/busybox', '/etc/owned-by-1000']), '0:0\n1000:1000\n');
    const found = execFileSync('find', [`${u.home}/.local/share/skiff`, '-name', 'owned-by-1000', '-printf', '%U:%G\n'], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual([...new Set(found)], [`${u.subuid!.start + 999}:${u.subgid!.start + 999}`]);
  });
});

test('run -d, logs, exec, stop and rm as a user who is not root', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const id = u.ok(['run', '-d', '--name', 'web', '--network', 'none', 'bb:1', 'sh', '-c', 'echo started; trap "echo bye; exit 3" TERM; while true; do sleep 0.1; done']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(u.ok(['inspect', '-f', '{{.State.Status}}', 'web']).trim(), 'running');
    for (let i = 0; i < 100 && u.ok(['logs', 'web']) === ''; i++) execFileSync('sleep', ['0.1']);
    assert.equal(u.ok(['logs', 'web']), 'started\n');
    assert.equal(u.ok(['exec', 'web', 'sh', '-c', 'echo "$(id -u) in exec"']), '0 in exec\n');
    u.ok(['stop', 'web']);
    assert.equal(u.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web']).trim(), 'exited 3');
    assert.equal(u.ok(['logs', 'web']), 'started\nbye\n');
    u.ok(['rm', 'web']);
    assert.equal(u.ok(['ps', '-a', '-q']), '');
  });
});

test("writes in a container land on the host as the user (container root) and their subordinate uids (others); a host file the user cannot read stays unreadable", (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const shared = join(u.home, 'shared');
    assert.equal(u.sh(`mkdir ${shared} && chmod 777 ${shared}`).code, 0);
    u.ok(['run', '--rm', '--network', 'none', '-v', `${shared}:/shared`, 'bb:1', 'touch', '/shared/by-root']);
    u.ok(['run', '--rm', '--network', 'none', '--user', '1000:1000', '-v', `${shared}:/shared`, 'bb:1', 'touch', '/shared/by-1000']);
    assert.equal(statSync(join(shared, 'by-root')).uid, u.uid);
    assert.equal(statSync(join(shared, 'by-root')).gid, u.gid);
    assert.equal(statSync(join(shared, 'by-1000')).uid, u.subuid!.start + 999);
    assert.equal(statSync(join(shared, 'by-1000')).gid, u.subgid!.start + 999);
    // root's file, unreadable to the user: the container's root cannot read it either
    const secretDir = mkdtempSync(join(work, 'secret-'));
    chmodSync(secretDir, 0o755);
    writeFileSync(join(secretDir, 'secret'), 'root only\n', { mode: 0o600 });
    assert.notEqual(u.sh(`cat ${secretDir}/secret`).code, 0);
    const r = u.run(['run', '--rm', '--network', 'none', '-v', `${secretDir}:/host:ro`, 'bb:1', 'cat', '/host/secret']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Permission denied/);
    assert.doesNotMatch(r.stdout, /root only/);
  });
});

test('limits are refused without cgroups, naming the flags, and info says why', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const r = u.run(['run', '--rm', '--network', 'none', '--memory', '64m', '--pids-limit', '10', 'bb:1', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^Error: --memory, --pids-limit: resource limits cannot be applied: rootless containers have no cgroups/);
    assert.equal(u.ok(['ps', '-a', '-q']), '');
    const info = JSON.parse(u.ok(['info', '--format', 'json'])) as { host: { limits: { available: boolean; reason: string } } };
    assert.equal(info.host.limits.available, false);
  });
});

test("two users' stores and containers do not see each other", (t) => {
  if (skipped(t, ...needs())) return;
  withUser((a) =>
    withUser((b) => {
      a.ok(['import', tar, 'only-a:1']);
      const id = a.ok(['run', '-d', '--name', 'a-ctr', '--network', 'none', 'only-a:1', 'sleep', '60']).trim();
      assert.equal(b.ok(['images', '-q']), '');
      assert.equal(b.ok(['ps', '-a', '-q']), '');
      const r = b.run(['inspect', id]);
      assert.equal(r.code, 125);
      // b's store is its own, and a's is closed to b
      const infoOf = (u: RootlessUser) => (JSON.parse(u.ok(['info', '--format', 'json'])) as { store: { graphRoot: string } }).store.graphRoot;
      assert.notEqual(infoOf(a), infoOf(b));
      assert.notEqual(b.sh(`ls ${infoOf(a)}`).code, 0);
      // and their namespaces differ
      assert.notEqual(a.ok(['unshare', 'readlink', '/proc/self/ns/user']), b.ok(['unshare', 'readlink', '/proc/self/ns/user']));
      assert.equal(a.ok(['ps', '-q', '--no-trunc']).trim(), id);
      a.ok(['rm', '-f', 'a-ctr']);
    }),
  );
});

test("system service as the user listens on their runtime dir's skiff.sock, and the docker CLI runs a container through it", async (t) => {
  if (skipped(t, ...needs(), tool('docker'))) return;
  const u = makeUser();
  try {
    u.ok(['import', tar, 'bb:1']);
    const sock = `/tmp/skiff-${u.uid}/skiff.sock`;
    const service = u.spawn(['system', 'service', '--time', '0']);
    try {
      for (let i = 0; i < 300 && u.sh(`test -S ${sock}`).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      const docker = (cmd: string) => u.sh(`docker ${cmd}`, { env: { DOCKER_HOST: `unix://${sock}` } });
      const run = docker('run --rm --network none bb:1 echo through the docker CLI');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'through the docker CLI\n');
      const info = docker("info --format '{{json .SecurityOptions}} {{.CgroupDriver}}'");
      assert.equal(info.stdout.trim(), '["name=seccomp,profile=default","name=rootless"] none');
    } finally {
      service.kill('SIGTERM');
    }
  } finally {
    u.cleanup();
  }
});

test('isolation holds rootless: own PID namespace, no CAP_SYS_ADMIN, seccomp filter, masked /proc paths, read-only root with --read-only', (t) => {
  if (skipped(t, ...needs())) return;
  withUser((u) => {
    u.ok(['import', tar, 'bb:1']);
    const script = [
      'echo pids=$(ls /proc | grep -c "^[0-9]")',
      'echo pid1=$(cat /proc/1/comm)',
      'echo capeff=$(grep ^CapEff /proc/self/status | cut -f2)',
      'echo seccomp=$(grep ^Seccomp: /proc/self/status | cut -f2)',
      // masked (or, in a user namespace's procfs, absent): nothing to read either way
      'echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c)',
      'echo keys=$(cat /proc/keys 2>/dev/null | wc -c)',
      'touch /rootfs-write 2>/dev/null && echo root=writable || echo root=read-only',
      'echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo procsys=writable || echo procsys=read-only',
    ].join('; ');
    const out = Object.fromEntries(
      u
        .ok(['run', '--rm', '--network', 'none', '--read-only', 'bb:1', 'sh', '-c', script])
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    assert.ok(Number(out.pids) < 6, `processes seen: ${out.pids}`);
    assert.equal(out.pid1, 'sh');
    const CAP_SYS_ADMIN = 21n;
    assert.equal((BigInt('0x' + out.capeff) >> CAP_SYS_ADMIN) & 1n, 0n, `CapEff ${out.capeff}`);
    assert.equal(out.seccomp, '2');
    assert.equal(out.kcore, '0');
    assert.equal(out.keys, '0');
    assert.equal(out.root, 'read-only');
    assert.equal(out.procsys, 'read-only');
  });
});
