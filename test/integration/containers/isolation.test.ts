// Isolation guarantees on the real kernel, one test each: pid namespace, memory and pids
// cgroups, capabilities, seccomp, masked paths, read-only root, user namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IMAGE, containerEnv, expectCode, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-iso-');
});
after(() => env.teardown());

function run(args: string[]) {
  return env.run(['run', '--rm', ...args]);
}

function inspect(ref: string, format: string): string {
  return env.ok(['inspect', '-f', format, ref]).trim();
}

/**
 * Runs `script` in a container that must start and then see `script` fail: the marker printed
 * first proves the container ran, so a refused start (125), a missing shell or a dead runtime
 * cannot pass for the failure asserted.
 */
function failsInside(flags: string[], script: string) {
  const r = run([...flags, IMAGE, 'sh', '-c', `echo started; ${script}`]);
  assert.match(r.stdout, /^started\n/, `the container did not start: exit ${r.code}: ${r.stderr}`);
  assert.notEqual(r.code, 0, `${script} succeeded: ${r.stdout}`);
  return r;
}

/** CapEff from a container's /proc/self/status, as a bigint. */
function capEff(flags: string[]): bigint {
  const r = run([...flags, IMAGE, 'grep', '^CapEff:', '/proc/self/status']);
  expectCode(r, 0, 'grep CapEff');
  return BigInt('0x' + r.stdout.split(/\s+/)[1]!);
}

// Linux capability numbers (linux/capability.h).
const CAP = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10, NET_ADMIN: 12, SYS_CHROOT: 18, SETFCAP: 31 };
const bits = (...caps: (keyof typeof CAP)[]) => caps.reduce((m, c) => m | (1n << BigInt(CAP[c])), 0n);

test('no host process is visible inside; PID 1 is the command', () => {
  const r = run([IMAGE, 'ps', '-o', 'pid,comm']);
  expectCode(r, 0, 'ps');
  const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows, [['1', 'ps']], r.stdout);
  // /proc agrees (a glob, so the shell forks nothing): only PID 1, while the host has many.
  const procs = run([IMAGE, 'sh', '-c', 'echo /proc/[0-9]*']);
  expectCode(procs, 0, 'echo /proc/*');
  assert.equal(procs.stdout, '/proc/1\n');
});

test('--memory: the process that exceeds it is OOM-killed (137, OOMKilled) and usage never passes the limit', () => {
  // PID 1 itself grows a string until the kernel kills it.
  const r = env.run(['run', '--name', 'oom', '--memory', '32m', IMAGE, 'sh', '-c', 'x=a; while true; do x=$x$x; done']);
  expectCode(r, 137, 'memory hog');
  assert.equal(inspect('oom', '{{.State.OOMKilled}} {{.State.ExitCode}}'), 'true 137');
  env.ok(['rm', 'oom']);

  // A child is killed while PID 1 survives to read the cgroup's high-water mark (the cgroup
  // goes with the container, so it is read from inside; on cgroup v1 runc mounts the
  // container's own memory cgroup there).
  const probe = run([
    '--memory', '32m', IMAGE, 'sh', '-c',
    '(x=a; while true; do x=$x$x; done); echo child=$?; cd /sys/fs/cgroup/memory && cat memory.limit_in_bytes memory.max_usage_in_bytes && grep "^oom_kill " memory.oom_control',
  ]);
  expectCode(probe, 0, 'memory probe');
  const [child, limit, max, , oomKills] = probe.stdout.trim().split(/\s+/);
  assert.equal(child, 'child=137');
  assert.equal(Number(limit), 32 * 1024 * 1024);
  assert.ok(Number(max) <= Number(limit), `max usage ${max} > limit ${limit}`);
  assert.ok(Number(oomKills) >= 1, `oom_kill ${oomKills}`);
});

test('--pids-limit 50 stops a fork bomb', () => {
  // The bomb runs in a subshell (ash gives up at the first failed fork); PID 1 then counts the
  // survivors through /proc with builtins only, since it cannot fork either.
  const r = run([
    '--pids-limit', '50', IMAGE, 'sh', '-c',
    '(i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null; ' +
      'n=0; for f in /proc/[0-9]*/comm; do read c < $f; [ "$c" = sleep ] && n=$((n+1)); done; echo sleeps=$n; ' +
      'cat /sys/fs/cgroup/pids/pids.max; kill -9 -1',
  ]);
  expectCode(r, 0, 'fork bomb');
  const [sleeps, max] = r.stdout.trim().split('\n');
  const n = Number(sleeps!.replace('sleeps=', ''));
  assert.ok(n > 0 && n < 50, `${n} sleeps ran`);
  assert.equal(max, '50');
});

test('CapEff is exactly the granted set: the default, and with --cap-add/--cap-drop', () => {
  const podman11 = bits('CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT');
  assert.equal(podman11, 0x800405fbn);
  assert.equal(capEff([]), podman11);
  assert.equal(capEff(['--cap-add', 'NET_ADMIN', '--cap-drop', 'CHOWN']), (podman11 | bits('NET_ADMIN')) & ~bits('CHOWN'));
  assert.equal(capEff(['--cap-drop', 'ALL']), 0n);
  assert.equal(capEff(['--cap-drop', 'ALL', '--cap-add', 'KILL']), bits('KILL'));
  // A non-root user gets no effective capabilities (the bounding set stays).
  const user = run(['--user', '65534', IMAGE, 'grep', '-E', '^Cap(Eff|Bnd):', '/proc/self/status']);
  expectCode(user, 0, '--user 65534');
  assert.match(user.stdout, /CapEff:\s+0000000000000000/);
  assert.match(user.stdout, /CapBnd:\s+00000000800405fb/);
});

test('the default seccomp profile makes unshare and mount fail with EPERM', () => {
  const status = run([IMAGE, 'grep', '^Seccomp:', '/proc/self/status']);
  assert.match(status.stdout, /^Seccomp:\s+2$/m, 'a filter is loaded');
  const unshare = failsInside([], 'unshare -m true');
  assert.match(unshare.stderr, /unshare\(0x20000\): Operation not permitted/);
  // busybox mount reports EPERM as "permission denied (are you root?)".
  const mount = failsInside([], 'mkdir -p /mnt && mount -t tmpfs none /mnt');
  assert.match(mount.stderr, /Operation not permitted|permission denied/i);
  // A user namespace needs no capability, so refusing it is the filter's doing alone:
  // EPERM under the default profile, allowed when unconfined.
  const userns = failsInside([], 'unshare -U true');
  assert.match(userns.stderr, /Operation not permitted/);
  expectCode(run(['--security-opt', 'seccomp=unconfined', IMAGE, 'unshare', '-U', 'true']), 0, 'unshare -U unconfined');
  // With CAP_SYS_ADMIN (and the profile's matching allowance) both work: the EPERMs above are policy.
  const admin = run(['--cap-add', 'SYS_ADMIN', IMAGE, 'sh', '-c', 'unshare -m true && mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted']);
  expectCode(admin, 0, 'with SYS_ADMIN');
  assert.equal(admin.stdout, 'mounted\n');
});

test('masked paths read empty', () => {
  const r = run([IMAGE, 'sh', '-c', 'echo keys=$(cat /proc/keys | wc -c); echo firmware=$(ls /sys/firmware | wc -l); echo kcore=$(cat /proc/kcore | wc -c)']);
  expectCode(r, 0, 'masked');
  assert.equal(r.stdout, 'keys=0\nfirmware=0\nkcore=0\n');
  // Read-only paths: /proc/sys cannot be written even by root.
  const w = failsInside([], 'echo 1 > /proc/sys/kernel/panic');
  assert.match(w.stderr, /Read-only file system/);
});

test('--read-only: the root is not writable, /tmp is', () => {
  const r = run(['--read-only', IMAGE, 'sh', '-c', 'touch /x; echo root=$?; touch /tmp/y && echo tmp=$?; grep " / " /proc/mounts | grep -c "\\bro\\b"']);
  expectCode(r, 0, 'read-only');
  assert.equal(r.stdout, 'root=1\ntmp=0\n1\n');
  assert.match(r.stderr, /Read-only file system/);
});

test('--userns: uid 0 inside is an unprivileged uid outside', () => {
  for (const flags of [['--userns', 'auto'], ['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536']]) {
    env.ok(['run', '-d', '--name', 'userns', ...flags, IMAGE, 'sleep', '30']);
    const inside = env.ok(['exec', 'userns', 'sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/gid_map']).trim().split('\n');
    assert.equal(inside[0], '0');
    assert.deepEqual(inside.slice(1).map((l) => l.trim().split(/\s+/)), [['0', '100000', '65536'], ['0', '100000', '65536']]);
    const pid = Number(inspect('userns', '{{.State.Pid}}'));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, /^Uid:\s+100000\s+100000\s+100000\s+100000$/m, flags.join(' '));
    assert.match(status, /^Gid:\s+100000\s+100000\s+100000\s+100000$/m);
    env.ok(['rm', '-f', 'userns']);
  }
  // The container's root is not the host's root: files of host uid 0 are nobody's.
  const r = run(['--userns', 'auto', IMAGE, 'sh', '-c', 'stat -c %u /bin/busybox; touch /tmp/mine && stat -c %u /tmp/mine']);
  expectCode(r, 0, 'userns files');
  assert.equal(r.stdout, '65534\n0\n');
});
