import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityOpts } from './security-opts.js';

test('--security-opt forms', () => {
  assert.deepEqual(parseSecurityOpts(['no-new-privileges', 'seccomp=unconfined', 'label=disable', 'apparmor=p']), {
    security: { noNewPrivileges: true, seccomp: 'unconfined', labelDisable: true, apparmor: 'p' },
  });
  assert.deepEqual(parseSecurityOpts(['seccomp=/etc/p.json', 'no-new-privileges:true']), {
    security: { noNewPrivileges: true },
    seccompProfilePath: '/etc/p.json',
  });
  assert.deepEqual(parseSecurityOpts(['label=type:spc_t']), { security: {} });
  for (const bad of ['bogus', 'seccomp=', 'label=x', 'apparmor=']) assert.throws(() => parseSecurityOpts([bad]), /invalid --security-opt/);
});
