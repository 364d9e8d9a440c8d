// Rootless mode's user namespace and per-user paths, run as a real user who is not root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { skipped, root, tool } from '../../helpers/requires.js';
import { cliReachable, makeUser } from './fixtures.js';

const needs = () => [root(), tool('unshare'), tool('nsenter'), tool('setpriv'), cliReachable()];

test('a user with subordinate ranges runs skiff in their own namespace (0 = the user, 1.. = their subuid range), info says rootless with their own paths', (t) => {
  if (skipped(t, ...needs())) return;
  const u = makeUser();
  try {
    const maps = u.ok(['unshare', 'cat', '/proc/self/uid_map', '/proc/self/gid_map']).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    assert.deepEqual(maps, [
      [0, u.uid, 1],
      [1, u.subuid!.start, u.subuid!.count],
      [0, u.gid, 1],
      [1, u.subgid!.start, u.subgid!.count],
    ]);
    const info = JSON.parse(u.ok(['info', '--format', 'json'])) as {
      host: { security: { rootless: boolean }; idMappings: { uidmap: { host_id: number }[] } };
      store: { graphRoot: string; runRoot: string; configFile: string };
    };
    assert.equal(info.host.security.rootless, true);
    assert.equal(info.host.idMappings.uidmap[1]!.host_id, u.subuid!.start);
    assert.equal(info.store.graphRoot, `${u.home}/.local/share/skiff`);
    assert.equal(info.store.runRoot, `/tmp/skiff-${u.uid}`);
    assert.match(info.store.configFile, new RegExp(`${u.home}/.config/skiff/skiff.conf$`));
    // XDG variables move them
    const xdg = JSON.parse(u.ok(['info', '--format', 'json'], { env: { XDG_DATA_HOME: `${u.home}/data` } })) as { store: { graphRoot: string } };
    assert.equal(xdg.store.graphRoot, `${u.home}/data/skiff`);
    // one pause process, joined again by the next command: the same namespace
    const pid = Number(readFileSync(`/tmp/skiff-${u.uid}/pause.pid`, 'utf8'));
    assert.equal(statSync(`/proc/${pid}`).uid, u.uid);
    const ns1 = u.ok(['unshare', 'readlink', '/proc/self/ns/user']).trim();
    const ns2 = u.ok(['unshare', 'readlink', '/proc/self/ns/user']).trim();
    assert.equal(ns1, ns2);
    assert.equal(ns1, u.sh(`readlink /proc/${pid}/ns/user`).stdout.trim());
    // the namespace's root owns the storage it made; on the host it is the user
    u.ok(['images']);
    assert.equal(statSync(`${u.home}/.local/share/skiff`).uid, u.uid);
    assert.equal(u.ok(['unshare', 'stat', '-c', '%u', `${u.home}/.local/share/skiff`]).trim(), '0');
    // a command's exit status comes back through the namespace
    assert.equal(u.run(['unshare', 'sh', '-c', 'exit 7']).code, 7);
  } finally {
    u.cleanup();
  }
});

test('a user without subordinate ranges gets an error naming /etc/subuid and /etc/subgid', (t) => {
  if (skipped(t, ...needs())) return;
  const u = makeUser({ subids: false });
  try {
    const r = u.run(['images']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`^Error: no subordinate uid range for ${u.name} \\(uid ${u.uid}\\) in /etc/subuid: .*/etc/subgid`));
    // verbs that touch no storage still work
    assert.equal(u.run(['version']).code, 0);
  } finally {
    u.cleanup();
  }
});

