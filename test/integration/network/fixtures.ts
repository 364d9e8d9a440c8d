// Shared set-up for the network tests: a container env whose default network, user networks,
// bridges and netavark config dir are its own (a free 10.9x.N.0/24 and sk<N>* bridge names),
// so network tests run in parallel with each other and with the container tests on skiff0.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { reserveOctet } from '../../helpers/octets.js';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { containerEnv, type ContainerEnv } from '../containers/fixtures.js';

export { IMAGE, expectCode, waitFor } from '../containers/fixtures.js';

export interface NetEnv extends ContainerEnv {
  n: number;
  /** This env's default network's name. */
  defaultNetwork: string;
  /** The k-th user network's subnet (k ≥ 1); k = 0 is the default network's. */
  subnet(k: number): string;
  /** The k-th user network's bridge name. */
  iface(k: number): string;
  /** `network create` with this env's subnet k and bridge k. */
  createNetwork(name: string, k: number, extra?: string[]): void;
  /** Container ids this env ever created (recorded by the caller through `track`). */
  track(id: string): string;
  /** Everything of this env removed, then checks nothing is left on the host. */
  teardownNet(): Promise<void>;
}

function hostState(): { links: string; routes: string } {
  return {
    links: execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }),
    routes: execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' }),
  };
}

/**
 * A subnet octet nobody on the host uses now (no route into 10.9x.N, no sk<N>* interface), and
 * that no other test env running in parallel has reserved (envs start their bridges late).
 */
function pickOctet(dir: string): number {
  const { links, routes } = hostState();
  for (let tries = 0; tries < 500; tries++) {
    const n = 1 + Math.floor(Math.random() * 250);
    if (new RegExp(`\\bsk${n}[dun]`).test(links)) continue;
    if ([93, 94, 95, 96, 97].some((a) => routes.includes(`10.${a}.${n}.`))) continue;
    if (!reserveOctet(n, dir)) continue;
    return n;
  }
  throw new Error('no free test subnet');
}

export function iptablesMentions(text: string): string[] {
  return execFileSync('iptables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(text));
}

/**
 * The name netavark (and so aardvark-dns's file and the iptables chains) knows a network by:
 * derived from the root and the network's id (src/engine/networks/netavark-doc.ts).
 */
export function netavarkName(env: { root: string; run(args: string[]): { stdout: string } }, network: string): string {
  const id = env.run(['network', 'inspect', '-f', '{{.Id}}', network]).stdout.trim();
  return `skiff-${createHash('sha256').update(`${env.root}\0${id}`).digest('hex').slice(0, 16)}`;
}

/** network_leases rows, read straight from the env's state database. */
export function leaseCount(env: { root: string }): number {
  const req = createRequire(import.meta.url);
  const Database = req('better-sqlite3') as new (p: string, o: object) => { prepare(s: string): { get(): unknown }; close(): void };
  const db = new Database(join(env.root, 'skiff.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM network_leases').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Writes `dir`/skiff.conf giving the env a default network, bridge, subnet pool and netavark config
 * dir of its own, so its containers never share addresses or bridges with another root's. Returns
 * the octet N.
 */
export function privateNetworkConfig(dir: string): number {
  const n = pickOctet(dir);
  writeFileSync(
    join(dir, 'skiff.conf'),
    [
      '[storage]',
      'driver = "overlay"',
      '[network]',
      // netavark names its iptables chains after the network: a default network named like
      // every other root's would share (and tear down) their chains.
      `default_network = "skiff${n}"`,
      `default_subnet = "10.93.${n}.0/24"`,
      `default_interface = "sk${n}d0"`,
      `network_config_dir = "${join(dir, 'netconf')}"`,
      // Networks created without --subnet (compose, the API tests) take theirs from a /19 of
      // this env's own, and name their bridges sk<N>n<i>: two roots never pick the same.
      `default_subnet_pools = [{ base = "10.${128 + (n >> 3)}.${(n & 7) << 5}.0/19", size = 24 }]`,
      `interface_prefix = "sk${n}n"`,
      '',
    ].join('\n'),
  );
  return n;
}

export function netEnv(prefix: string): NetEnv {
  const base = containerEnv(prefix);
  const n = privateNetworkConfig(base.dir);
  const subnet = (k: number) => `10.${93 + k}.${n}.0/24`;
  const iface = (k: number) => (k === 0 ? `sk${n}d0` : `sk${n}u${k}`);
  const ids = new Set<string>();
  const env: NetEnv = {
    ...base,
    n,
    defaultNetwork: `skiff${n}`,
    subnet,
    iface,
    createNetwork(name, k, extra = []) {
      base.ok(['network', 'create', '--subnet', subnet(k), '--interface-name', iface(k), ...extra, name]);
    },
    track(id) {
      ids.add(id.trim());
      return id.trim();
    },
    async teardownNet() {
      let failed: unknown;
      try {
        const rm = base.run(['rm', '-af']);
        assert.equal(rm.code, 0, `rm -af: ${rm.stderr}`);
        assert.equal(leaseCount(base), 0, 'IPAM leases left for removed containers');
        const nets = base.run(['network', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((x) => x && x !== `skiff${n}`);
        if (nets.length) base.ok(['network', 'rm', ...nets]);
        // A container that exited on its own is torn down by conmon's `container cleanup`, which
        // may still be running netavark when `rm` returns: give it a few seconds.
        const ours = new RegExp(`\\bsk${n}[dun]\\d`);
        for (let i = 0; i < 50 && ours.test(hostState().links); i++) await new Promise((r) => setTimeout(r, 100));
        const { links } = hostState();
        assert.doesNotMatch(links, ours, 'a bridge of this test is left');
        assert.doesNotMatch(links, new RegExp(`master sk${n}[dun]`), 'a veth of this test is left');
        const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
        assert.deepEqual(netns.filter((x) => [...ids].some((id) => x.includes(id))), [], 'network namespaces left');
        for (let k = 0; k < 5; k++) assert.deepEqual(iptablesMentions(subnet(k).replace('.0/24', '.')), [], `iptables rules for ${subnet(k)} left`);
        const aardvark = join(base.dir, 'netconf', 'aardvark-dns');
        if (existsSync(join(aardvark, 'aardvark.pid'))) {
          const pid = readFileSync(join(aardvark, 'aardvark.pid'), 'utf8').trim();
          // netavark signals it on the last teardown; it exits on its own time, and this
          // machine's PID 1 reaps slowly, so a zombie counts as gone.
          const running = () => {
            try {
              return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
            } catch {
              return false;
            }
          };
          for (let i = 0; i < 30 && running(); i++) await new Promise((r) => setTimeout(r, 100));
          assert.ok(!running(), 'aardvark-dns still running');
        }
      } catch (e) {
        failed = e;
      }
      // The default network's bridge is removed with its last container by netavark; any
      // leftover of a failed test goes here so the host stays clean.
      for (let k = 0; k < 5; k++) {
        if (existsSync(`/sys/class/net/${iface(k)}`)) execFileSync('ip', ['link', 'delete', iface(k)]);
      }
      await base.teardown();
      if (failed) throw failed;
    },
  };
  return env;
}

/** The host's own non-loopback IPv4 address (the route to the outside world). */
export function hostAddress(): string {
  const out = execFileSync('ip', ['-4', '-o', 'route', 'get', '1.1.1.1'], { encoding: 'utf8' });
  const m = / src (\S+)/.exec(out);
  if (!m) throw new Error(`no source address in ${out}`);
  return m[1]!;
}
