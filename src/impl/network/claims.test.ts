// Host-wide claims on bridges and subnets: refused while another root's network holds them,
// taken over once that network (or its root) is gone, released by their owner only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../metadata/db.js';
import { NetworkClaims, type ClaimOwner } from './claims.js';

/** Who holds a claim, without the database identity it also records. */
const who = (o: ClaimOwner | undefined) => o && { root: o.root, network: o.network };

function root(dir: string, name: string, networks: string[]): string {
  const r = join(dir, name);
  const db = openDatabase(join(r, 'skiff.db'));
  for (const id of networks) {
    db.prepare(
      "INSERT INTO networks (id, name, interface, subnet, gateway, created) VALUES (?, ?, ?, '10.0.0.0/24', '10.0.0.1', '')",
    ).run(id, id, `if-${id}`);
  }
  db.close();
  return r;
}

test('claims: another root holds a live claim; a stale one is taken over; only the owner releases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-claims-test-'));
  try {
    const claimsDir = join(dir, 'claims');
    const other = root(dir, 'other', ['n-other']);
    const mine = new Set<string>();
    const us = new NetworkClaims(claimsDir, join(dir, 'us'), (id) => mine.has(id));
    const them = new NetworkClaims(claimsDir, other, () => true);

    assert.equal(them.claim('iface', 'br0', 'n-other'), undefined);
    assert.equal(them.claim('subnet', '10.1.0.0/24', 'n-other'), undefined);
    assert.deepEqual(who(us.claim('iface', 'br0', 'n-us')), { root: other, network: 'n-other' });
    assert.deepEqual(us.heldByOthers('subnet').map((c) => ({ value: c.value, owner: who(c.owner) })), [{ value: '10.1.0.0/24', owner: { root: other, network: 'n-other' } }]);
    us.release('n-us', [{ kind: 'iface', value: 'br0' }]);
    assert.deepEqual(who(us.claim('iface', 'br0', 'n-us')), { root: other, network: 'n-other' }, 'released by a non-owner');

    // Ours twice is fine; once our row is gone, our own claim is free again.
    mine.add('n-us');
    assert.equal(us.claim('iface', 'br1', 'n-us'), undefined);
    assert.equal(us.claim('iface', 'br1', 'n-us'), undefined);
    mine.delete('n-us');
    assert.equal(us.claim('iface', 'br1', 'n-us2'), undefined);

    // A claim of a network whose row is not there (not yet committed) counts as live while young.
    const pending = new NetworkClaims(claimsDir, other, () => true);
    assert.equal(pending.claim('subnet', '10.2.0.0/24', 'n-uncommitted'), undefined);
    assert.equal(us.heldByOthers('subnet').length, 2, 'a young claim counts as live');
    const old = new Date(Date.now() - 120_000);
    for (const f of readdirSync(claimsDir)) utimesSync(join(claimsDir, f), old, old);
    assert.deepEqual(us.heldByOthers('subnet').map((c) => c.value), ['10.1.0.0/24'], 'an old claim without its row is stale');

    // The other root removed: its claims are stale at once, however young.
    const now = new Date();
    for (const f of readdirSync(claimsDir)) utimesSync(join(claimsDir, f), now, now);
    rmSync(other, { recursive: true });
    assert.deepEqual(us.heldByOthers('subnet'), []);
    mine.add('n-us');
    assert.equal(us.claim('iface', 'br0', 'n-us'), undefined);
    us.release('n-us', [{ kind: 'iface', value: 'br0' }]);
    assert.equal(them.claim('iface', 'br0', 'n-other'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('claims: a root removed and made again at its path (a new, empty database) holds none of its young claims', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-claims-test-'));
  try {
    const claimsDir = join(dir, 'claims');
    const other = root(dir, 'other', ['n-other']);
    const them = new NetworkClaims(claimsDir, other, () => true);
    const us = new NetworkClaims(claimsDir, join(dir, 'us'), () => false);
    assert.equal(them.claim('subnet', '10.3.0.0/24', 'n-other'), undefined);
    assert.equal(us.heldByOthers('subnet').length, 1);
    rmSync(other, { recursive: true });
    root(dir, 'other', []);
    assert.deepEqual(us.heldByOthers('subnet'), []);
    assert.equal(us.claim('subnet', '10.3.0.0/24', 'n-us'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
