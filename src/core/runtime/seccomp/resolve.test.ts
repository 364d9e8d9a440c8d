import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_SECCOMP_PROFILE } from './default-profile.js';
import { parseSeccompProfile, seccompFor } from './resolve.js';
import type { Seccomp } from '../spec-types.js';
import { DEFAULT_CAPABILITIES } from '../../config/types.js';

/** Whether `name` is allowed unconditionally (an ALLOW rule without argument filters). */
function allowed(s: Seccomp, name: string): boolean {
  return (s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name) && !r.args?.length);
}

const blockedWithoutSysAdmin = ['unshare', 'mount', 'umount2', 'setns', 'clone3', 'bpf', 'perf_event_open'];
const alwaysBlocked = ['keyctl', 'add_key', 'request_key', 'kexec_load', 'kexec_file_load', 'init_module'];

test('default profile: EPERM by default, native arch list', () => {
  const s = seccompFor(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, 'amd64');
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(seccompFor(DEFAULT_SECCOMP_PROFILE, [], 'arm64').architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(allowed(s, 'read') && allowed(s, 'execve') && allowed(s, 'arch_prctl'));
  assert.ok(!allowed(s, 'cacheflush'), 'arm-only syscalls stay out on amd64');
  assert.ok(allowed(s, 'chroot'), 'CAP_SYS_CHROOT is in the default set');
  assert.ok(allowed(s, 'ptrace'), 'Docker allows ptrace on kernels >= 4.8');
  assert.ok(!allowed(seccompFor(DEFAULT_SECCOMP_PROFILE, [], 'amd64', { kernel: '4.4.0' }), 'ptrace'));
});

test('without CAP_SYS_ADMIN: no namespaces, mounts, keyring or kexec', () => {
  const s = seccompFor(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, 'amd64');
  for (const n of [...blockedWithoutSysAdmin, ...alwaysBlocked]) assert.ok(!allowed(s, n), `${n} must be blocked`);
  const clone = (s.syscalls ?? []).filter((r) => r.names.includes('clone'));
  assert.deepEqual(clone, [
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
  ]);
  assert.equal(CLONE_NAMESPACE_FLAGS, 0x7e020000);
  assert.deepEqual(
    (s.syscalls ?? []).find((r) => r.names.includes('clone3')),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  );
  const socket = (s.syscalls ?? []).find((r) => r.names.includes('socket'));
  assert.deepEqual(socket?.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
});

test('with CAP_SYS_ADMIN the namespace and mount syscalls come back; the keyring stays blocked', () => {
  const s = seccompFor(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'amd64');
  for (const n of ['unshare', 'mount', 'umount2', 'setns', 'clone', 'clone3']) assert.ok(allowed(s, n), `${n} must be allowed`);
  assert.ok(!(s.syscalls ?? []).some((r) => r.names.includes('clone') && r.args?.length));
  assert.ok(!(s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_ERRNO'));
  for (const n of alwaysBlocked) assert.ok(!allowed(s, n));
  assert.ok(allowed(seccompFor(DEFAULT_SECCOMP_PROFILE, ['CAP_SYS_MODULE'], 'amd64'), 'init_module'));
});

test('user profiles: old single-name rules, flat architectures, errno names', () => {
  const p = parseSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { name: 'mkdir', action: 'SCMP_ACT_ERRNO', errno: 'EACCES' },
      { names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_FOWNER'] } },
    ],
  });
  const s = seccompFor(p, ['CAP_FOWNER'], 'amd64');
  assert.deepEqual(s, {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
  });
  assert.throws(() => parseSeccompProfile({ syscalls: [] }), /defaultAction/);
  assert.throws(() => parseSeccompProfile([]), /not a JSON object/);
});
