// Two skiff roots on one host (issue 12, point 3): with the same network settings (interface
// prefix, subnet pool, default network name), each one's default network gets its own bridge,
// subnet, id and netavark chains (also when one root's row predates host claims and names the
// other's bridge); both serve their own containers at once, and tearing one down leaves the
// other's bridge, chains and containers working.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerEnv, type ContainerEnv } from '../containers/fixtures.js';
import { IMAGE, iptablesMentions, netavarkName, privateNetworkConfig, waitFor } from './fixtures.js';

const a = containerEnv('skiff-inst-a-');
const b = containerEnv('skiff-inst-b-');
const c = containerEnv('skiff-inst-c-');
const claims = mkdtempSync(join(tmpdir(), 'skiff-claims-'));
// One reserved octet gives both roots the same prefix and pool, so only the claims keep them apart.
const n = privateNetworkConfig(a.dir);
for (const env of [a, b, c]) {
  writeFileSync(
    join(env.dir, 'skiff.conf'),
    [
      '[storage]',
      'driver = "overlay"',
      '[network]',
      `default_subnet_pools = [{ base = "10.${128 + (n >> 3)}.${(n & 7) << 5}.0/19", size = 24 }]`,
      `interface_prefix = "sk${n}n"`,
      `network_config_dir = "${join(env.dir, 'netconf')}"`,
      `host_claims_dir = "${claims}"`,
      '',
    ].join('\n'),
  );
}

const gone = (iface: string) => () => (existsSync(`/sys/class/net/${iface}`) ? undefined : true);

after(async () => {
  try {
    await a.teardown();
    await b.teardown();
    await c.teardown();
  } finally {
    // netavark removes a bridge with its last container: one is left only by a failed test.
    for (let k = 0; k < 10; k++) if (existsSync(`/sys/class/net/sk${n}n${k}`)) execFileSync('ip', ['link', 'delete', `sk${n}n${k}`]);
    rmSync(claims, { recursive: true, force: true });
  }
});

interface Net {
  Id: string;
  NetworkInterface: string;
  IPAM: { Config: { Subnet: string }[] };
}

const inspectDefault = (env: ContainerEnv) => (JSON.parse(env.ok(['network', 'inspect', 'skiff'])) as Net[])[0]!;

/** netavark 1.4's chain suffix: the first 13 hex digits of sha512(network name), upper case. */
function chainOf(env: ContainerEnv): string {
  const name = netavarkName(env, 'skiff');
  return `NETAVARK-${createHash('sha512').update(name).digest('hex').slice(0, 13).toUpperCase()}`;
}

/** Starts busybox httpd serving `word`; returns its address on the default network. */
function serve(env: ContainerEnv, name: string, word: string): string {
  env.ok(['run', '-d', '--name', name, IMAGE, 'sh', '-c', `mkdir /www && echo ${word} > /www/index.html && exec httpd -f -p 80 -h /www`]);
  return env.ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]).trim();
}

/** What a new container of `env` gets from http://ip/ (retried while httpd starts listening). */
async function fetchFrom(env: ContainerEnv, ip: string): Promise<string> {
  // This busybox's `wget -T` segfaults: timeout(1) instead.
  const get = () => env.run(['run', '--rm', IMAGE, 'timeout', '5', 'wget', '-qO-', `http://${ip}/`]);
  const r = await waitFor(() => {
    const x = get();
    return x.code === 0 ? x : undefined;
  }, 15_000, `http://${ip}/ from ${env.dir}`);
  return r.stdout.trim();
}

test('two roots with the same settings: own bridges, subnets, ids and chains; one torn down leaves the other working', async () => {
  const ipA = serve(a, 'web', 'from-a');
  // b as a root made before host claims: its default network on a's bridge and subnet (all
  // roots used skiff0 and 10.89.0.0/24). Its first start moves it to a free bridge and subnet.
  const legacy = inspectDefault(a);
  b.ok(['network', 'inspect', 'skiff']);
  const req = createRequire(import.meta.url);
  const Database = req('better-sqlite3') as new (p: string) => { prepare(s: string): { run(...a: unknown[]): unknown }; close(): void };
  const db = new Database(join(b.root, 'skiff.db'));
  db.prepare("UPDATE networks SET interface = ?, subnet = ?, gateway = ? WHERE name = 'skiff'").run(
    legacy.NetworkInterface, legacy.IPAM.Config[0]!.Subnet, legacy.IPAM.Config[0]!.Subnet.replace('0/24', '1'));
  db.close();
  const ipB = serve(b, 'web', 'from-b');
  const na = inspectDefault(a);
  const nb = inspectDefault(b);
  assert.notEqual(na.Id, nb.Id);
  assert.notEqual(na.NetworkInterface, nb.NetworkInterface);
  assert.deepEqual([na.NetworkInterface, nb.NetworkInterface].sort(), [`sk${n}n0`, `sk${n}n1`]);
  assert.notEqual(na.IPAM.Config[0]!.Subnet, nb.IPAM.Config[0]!.Subnet);
  assert.notEqual(ipA, ipB);
  assert.notEqual(chainOf(a), chainOf(b));
  assert.ok(iptablesMentions(chainOf(a)).length > 0, `no ${chainOf(a)} chain for a`);
  assert.ok(iptablesMentions(chainOf(b)).length > 0, `no ${chainOf(b)} chain for b`);

  // Both at once, each from its own peers.
  assert.equal(await fetchFrom(a, ipA), 'from-a');
  assert.equal(await fetchFrom(b, ipB), 'from-b');

  // A user network without --subnet or --interface-name in b avoids a's default network too.
  b.ok(['network', 'create', 'extra']);
  const extra = (JSON.parse(b.ok(['network', 'inspect', 'extra'])) as Net[])[0]!;
  assert.ok(![na.NetworkInterface, nb.NetworkInterface].includes(extra.NetworkInterface), extra.NetworkInterface);
  assert.ok(![na.IPAM.Config[0]!.Subnet, nb.IPAM.Config[0]!.Subnet].includes(extra.IPAM.Config[0]!.Subnet));
  b.ok(['network', 'rm', 'extra']);

  // a goes away entirely.
  a.ok(['rm', '-af']);
  await waitFor(gone(na.NetworkInterface), 10_000, `bridge ${na.NetworkInterface} removed`);
  assert.deepEqual(iptablesMentions(chainOf(a)), [], 'chains of a left');
  assert.ok(existsSync(`/sys/class/net/${nb.NetworkInterface}`), "b's bridge went with a's containers");
  assert.ok(iptablesMentions(chainOf(b)).length > 0, "b's chains went with a's containers");
  assert.equal(await fetchFrom(b, ipB), 'from-b');
  const host = await fetch(`http://${ipB}/`, { signal: AbortSignal.timeout(5000) });
  assert.equal((await host.text()).trim(), 'from-b');
});

test("a removed root holds no claims: conmon's late cleanup does not make it again, and one made again at its path frees them at once", () => {
  const subnet = `10.${128 + (n >> 3)}.${((n & 7) << 5) + 31}.0/24`;
  c.ok(['network', 'create', '--subnet', subnet, '--interface-name', `sk${n}n8`, 'netc']);
  c.ok(['run', '--rm', '--network', 'netc', IMAGE, 'true']);
  rmSync(c.root, { recursive: true, force: true });

  // What conmon runs when a container of the removed root exits.
  const cleanup = c.run(['--root', c.root, '--runroot', c.runroot, 'container', 'cleanup', 'f'.repeat(64)]);
  assert.equal(cleanup.code, 0, cleanup.stderr);
  assert.equal(existsSync(c.root), false, 'container cleanup made the removed root again');

  // Any other command does make the root again, with a database that has no network: its claim
  // (seconds old, so within the grace a claim gets before its row commits) is stale.
  c.ok(['network', 'ls']);
  b.ok(['network', 'create', '--subnet', subnet, '--interface-name', `sk${n}n9`, 'netb']);
  const r = b.run(['run', '--rm', '--network', 'netb', IMAGE, 'true']);
  assert.equal(r.code, 0, `the old root's subnet claim still held: ${r.stderr}`);
  b.ok(['network', 'rm', 'netb']);
});
