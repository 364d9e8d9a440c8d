// What "consistent" means after races and crashes: ps -a and the host agree. Every container
// directory has a row, every conmon, rootfs mount and netns belongs to a running container,
// every IPAM lease to a running container, and no address is held twice.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { conmonsUnder, mountsUnder } from '../containers/fixtures.js';
import type { TestEnv } from '../../helpers/env.js';

interface Lease {
  container: string;
  address: string;
}

function leases(root: string): Lease[] {
  if (!existsSync(join(root, 'skiff.db'))) return [];
  const req = createRequire(import.meta.url);
  const Database = req('better-sqlite3') as new (p: string, o: object) => { prepare(s: string): { all(): unknown[] }; close(): void };
  const db = new Database(join(root, 'skiff.db'), { readonly: true });
  try {
    return db.prepare("SELECT container, network || ' ' || ip AS address FROM network_leases").all() as Lease[];
  } finally {
    db.close();
  }
}

export interface Row {
  id: string;
  state: string;
}

export function psRows(env: TestEnv): Row[] {
  const r = env.run(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}']);
  assert.equal(r.code, 0, `ps -a: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, state] = l.split(' ');
      return { id: id!, state: state! };
    });
}

const ls = (d: string) => (existsSync(d) ? readdirSync(d) : []);

/** Asserts that the state on disk and on the host agrees with `ps -a`; returns the rows. */
export function assertConsistent(env: TestEnv, what: string): Row[] {
  const rows = psRows(env);
  const ids = new Set(rows.map((r) => r.id));
  const running = new Set(rows.filter((r) => r.state === 'running' || r.state === 'paused').map((r) => r.id));
  for (const d of ls(join(env.root, 'containers'))) assert.ok(ids.has(d), `${what}: ${env.root}/containers/${d} has no row`);
  for (const d of ls(join(env.runroot, 'containers'))) assert.ok(ids.has(d), `${what}: ${env.runroot}/containers/${d} has no row`);
  const conmons = conmonsUnder(env.dir);
  for (const pid of conmons) {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    assert.ok([...running].some((id) => cmd.includes(id)), `${what}: conmon ${pid} of no running container: ${cmd.replace(/\0/g, ' ')}`);
  }
  for (const m of mountsUnder(env.runroot)) {
    assert.ok([...running].some((id) => m.includes(id)), `${what}: mount ${m} of no running container`);
  }
  for (const ns of ls('/run/netns')) {
    const owner = [...ids].find((id) => ns.includes(id));
    if (owner) assert.ok(running.has(owner), `${what}: netns ${ns} of container ${owner}, which is not running`);
  }
  const held = leases(env.root);
  for (const l of held) assert.ok(running.has(l.container), `${what}: lease of ${l.address} held by ${l.container}, which is not running`);
  const addresses = held.map((l) => l.address);
  assert.equal(new Set(addresses).size, addresses.length, `${what}: an address leased twice: ${addresses.join(' ')}`);
  return rows;
}
