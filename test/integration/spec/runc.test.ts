// A generated spec really runs under runc: the default capability set is exactly what the
// container gets, and the default seccomp profile makes unshare fail with EPERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateSpec } from '../../../src/core/runtime/spec.js';
import type { ContainerCreateOptions } from '../../../src/core/runtime/create-options.js';
import { capabilityMask } from '../../../src/core/runtime/capabilities.js';
import { defaultConfig, DEFAULT_CAPABILITIES } from '../../../src/core/config/types.js';
import { readHostFacts } from '../../../src/engine/containers/spec/host-facts.js';
import { makeBusyboxRootfs } from '../../helpers/busybox.js';
import { removeTree } from '../../helpers/env.js';
import { root, tool, unmet } from '../../helpers/requires.js';

const RUNC = '/usr/sbin/runc';
const CGROUP_PARENT = '/skiff_spec_test';
const skip = unmet(root(), tool(RUNC), tool('/bin/busybox'));

function removeCgroupParent(): void {
  // runc deletes the container's cgroup but not the parent it created; v1 has one per controller.
  for (const base of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    let ctrls: string[];
    try {
      ctrls = readdirSync(base);
    } catch {
      continue;
    }
    for (const c of ['', ...ctrls]) {
      try {
        rmdirSync(join(base, c, CGROUP_PARENT));
      } catch {
        // Absent, or not a directory: nothing to clean.
      }
    }
  }
}

function runInRunc(opts: ContainerCreateOptions, script: string): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-spec-runc-'));
  const id = 'skiffspec' + randomBytes(6).toString('hex');
  const state = join(dir, 'state');
  // A user-namespaced root (an unprivileged host uid) must be able to reach the rootfs.
  chmodSync(dir, 0o755);
  try {
    const rootfs = makeBusyboxRootfs(join(dir, 'rootfs'));
    mkdirSync(state);
    const cfg = defaultConfig().containers;
    const spec = generateSpec({
      image: { Cmd: ['sh', '-c', script] },
      opts: { cgroupParent: CGROUP_PARENT, ...opts },
      rootfs,
      host: readHostFacts(),
      containerId: id,
      defaults: { capabilities: cfg.defaultCapabilities, ulimits: cfg.defaultUlimits, pidsLimit: cfg.pidsLimit, shmSize: cfg.shmSize },
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
    const r = spawnSync(RUNC, ['--root', state, 'run', '--bundle', dir, id], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  } finally {
    spawnSync(RUNC, ['--root', state, 'delete', '-f', id]);
    removeTree(dir);
    removeCgroupParent();
  }
}

const PROBE = 'grep CapEff /proc/self/status; unshare -r true; echo rc=$?; ulimit -n';

test('default spec under runc: CapEff is the default set, unshare gets EPERM', { skip }, () => {
  const { code, out } = runInRunc({}, PROBE);
  assert.equal(code, 0, out);
  const capEff = /CapEff:\s*([0-9a-f]+)/.exec(out)?.[1];
  assert.equal(BigInt('0x' + capEff), capabilityMask(DEFAULT_CAPABILITIES), out);
  assert.equal(BigInt('0x' + capEff), 0x800405fbn);
  assert.match(out, /Operation not permitted/);
  assert.match(out, /rc=1\b/);
  assert.match(out, /\n1024\n/);
});

test('cap-add shows in CapEff; SYS_ADMIN lets unshare past seccomp', { skip }, () => {
  const { code, out } = runInRunc({ capAdd: ['NET_ADMIN', 'SYS_ADMIN'], capDrop: ['CHOWN'], ulimits: ['nofile=1048576:1048576'] }, PROBE);
  assert.equal(code, 0, out);
  const capEff = BigInt('0x' + /CapEff:\s*([0-9a-f]+)/.exec(out)?.[1]);
  const expected = capabilityMask([...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'), 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
  assert.equal(capEff, expected, out);
  assert.match(out, /rc=0\b/, out);
  // 1048576 was clamped to the engine's hard limit instead of failing the start.
  assert.doesNotMatch(out, /\n1048576\n/);
});

test('default spec: mount is refused, masked paths read empty, read-only root', { skip }, () => {
  const script = 'mount -t tmpfs t /mnt; echo mount=$?; wc -c < /proc/keys; wc -c < /proc/timer_list; touch /x; echo touch=$?; touch /tmp/ok; echo tmp=$?';
  const { code, out } = runInRunc({ readOnly: true }, script);
  assert.equal(code, 0, out);
  assert.match(out, /mount=\d*[1-9]/, out);
  assert.match(out, /^0\n0\n/m, out);
  assert.match(out, /touch=1/, out);
  assert.match(out, /tmp=0/, out);
});

test("privileged: every capability in the engine's own bounding set", { skip }, () => {
  const { code, out } = runInRunc({ privileged: true }, 'grep CapEff /proc/self/status');
  assert.equal(code, 0, out);
  const engineBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  assert.equal(BigInt('0x' + /CapEff:\s*([0-9a-f]+)/.exec(out)?.[1]), BigInt('0x' + engineBnd), out);
});

test('user namespace: root inside is uid 100000 outside', { skip }, () => {
  const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const { code, out } = runInRunc({ userns: { mode: 'private', uidMappings: map, gidMappings: map } }, 'id -u; cat /proc/self/uid_map');
  assert.equal(code, 0, out);
  assert.match(out, /^0$/m);
  assert.match(out, /^\s*0\s+100000\s+65536$/m, out);
});
