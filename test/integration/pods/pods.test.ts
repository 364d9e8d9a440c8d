// Pods (Podman's model): an infra container holds the network, IPC and UTS namespaces; members
// join them, reach each other on localhost and share the pod's published ports and hostname.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IMAGE, assertNothingLeft, expectCode, freePort, httpGet, podEnv, waitFor } from './fixtures.js';
import type { NetEnv } from '../network/fixtures.js';

let env: NetEnv;

before(() => {
  env = podEnv('skiff-pods-');
});
after(async () => {
  await env.teardownNet();
});

const HTTPD = 'mkdir -p /www && echo from-the-pod > /www/index.html && exec httpd -f -p 8080 -h /www';

function pid(ref: string): number {
  return Number(env.ok(['inspect', '-f', '{{.State.Pid}}', ref]).trim());
}

test('a two-container pod: the client reaches httpd on localhost, the host reaches the published port, pod rm -f leaves nothing', async () => {
  const hostPort = await freePort();
  const podId = env.ok(['pod', 'create', '--name', 'web', '-p', `127.0.0.1:${hostPort}:8080`]).trim();
  assert.match(podId, /^[0-9a-f]{64}$/);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'web']));
  env.track(env.ok(['run', '-d', '--pod', 'web', '--name', 'httpd', IMAGE, 'sh', '-c', HTTPD]));
  const local = await waitFor(
    () => {
      const r = env.run(['run', '--rm', '--pod', 'web', IMAGE, 'wget', '-qO-', 'http://localhost:8080/']);
      return r.code === 0 ? r.stdout : undefined;
    },
    15_000,
    'httpd to answer on the pod localhost',
  );
  assert.equal(local, 'from-the-pod\n');
  // The pod's /etc/hosts names every member on loopback (Podman's).
  assert.equal(env.ok(['run', '--rm', '--pod', 'web', IMAGE, 'wget', '-qO-', 'http://httpd:8080/']), 'from-the-pod\n');
  const body = await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the published port to answer');
  assert.equal(body, 'from-the-pod\n');
  const pids = [pid(infra), pid('httpd')];
  env.ok(['pod', 'rm', '-f', 'web']);
  expectCode(env.run(['pod', 'exists', 'web']), 1, 'pod exists after rm');
  assert.equal(env.ok(['ps', '-aq']), '', 'containers of the pod left');
  assertNothingLeft(env, [infra], pids);
});

test('members share the infra container network, IPC and UTS namespaces, the pod hostname and its /etc/hosts', () => {
  env.ok(['pod', 'create', '--name', 'ns', '--hostname', 'podhost', '--add-host', 'extra.example:10.1.2.3']);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'ns']));
  try {
    const script = 'hostname; echo $HOSTNAME; for n in net ipc uts; do readlink /proc/self/ns/$n; done; grep -c extra.example /etc/hosts';
    const a = env.ok(['run', '--rm', '--pod', 'ns', IMAGE, 'sh', '-c', script]).split('\n');
    const b = env.ok(['run', '--rm', '--pod', 'ns', IMAGE, 'sh', '-c', script]).split('\n');
    assert.deepEqual(a, b);
    assert.equal(a[0], 'podhost');
    assert.equal(a[1], 'podhost');
    const p = pid(infra);
    const infraNs = ['net', 'ipc', 'uts'].map((k) => readlinkSync(`/proc/${p}/ns/${k}`));
    assert.deepEqual(a.slice(2, 5), infraNs);
    assert.equal(a[5], '1');
    // pid is not shared by default: a member is its own PID 1.
    assert.equal(env.ok(['run', '--rm', '--pod', 'ns', IMAGE, 'sh', '-c', 'echo $$']).trim(), '1');
  } finally {
    env.ok(['pod', 'rm', '-f', 'ns']);
  }
});

test('--share +pid puts the members in the infra PID namespace: catatonit is PID 1', () => {
  env.ok(['pod', 'create', '--name', 'pidpod', '--share', '+pid']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'pidpod']));
  try {
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{json .SharedNamespaces}}', 'pidpod']).trim(), '["uts","ipc","net","pid"]');
    const ps = env.ok(['run', '--rm', '--pod', 'pidpod', IMAGE, 'cat', '/proc/1/cmdline']);
    assert.equal(ps.split('\0')[0], '/catatonit');
  } finally {
    env.ok(['pod', 'rm', '-f', 'pidpod']);
  }
});

test('pod stop stops the members then the infra container and leaves no mount, netns or process; pod start brings the published port back', async () => {
  const hostPort = await freePort();
  env.ok(['pod', 'create', '--name', 'cycle', '-p', `127.0.0.1:${hostPort}:8080`]);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'cycle']));
  try {
    env.track(env.ok(['run', '-d', '--pod', 'cycle', '--name', 'cycle-httpd', IMAGE, 'sh', '-c', HTTPD]));
    assert.equal(await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the published port'), 'from-the-pod\n');
    assert.equal(env.ok(['pod', 'ps', '--format', '{{.Name}} {{.Status}} {{.NumberOfContainers}}', '--filter', 'name=cycle']), 'cycle Running 2\n');
    const pids = [pid(infra), pid('cycle-httpd')];
    assert.equal(env.ok(['pod', 'stop', '-t', '1', 'cycle']).trim(), env.ok(['pod', 'inspect', '-f', '{{.Id}}', 'cycle']).trim());
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'cycle']), 'Exited\n');
    assert.equal(env.ok(['ps', '-a', '--filter', 'pod=cycle', '--format', '{{.State}}']), 'exited\nexited\n');
    assertNothingLeft(env, [infra], pids);
    env.ok(['pod', 'start', 'cycle']);
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'cycle']), 'Running\n');
    assert.equal(await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the published port after start'), 'from-the-pod\n');
    const rm = env.run(['pod', 'rm', 'cycle']);
    expectCode(rm, 125, 'pod rm of a running pod');
    assert.match(rm.stderr, /^Error: .*running/);
  } finally {
    env.ok(['pod', 'rm', '-f', 'cycle']);
  }
});

test('ps --pod names each container pod; --filter pod= keeps the pod containers; pod ps shows Podman columns', () => {
  env.ok(['pod', 'create', '--name', 'listed', '--label', 'tier=web']);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'listed']));
  try {
    const member = env.track(env.ok(['create', '--pod', 'listed', '--name', 'listed-member', IMAGE, 'sleep', '60']));
    env.track(env.ok(['create', '--name', 'outsider', IMAGE, 'true']));
    const podId = env.ok(['pod', 'inspect', '-f', '{{.Id}}', 'listed']).trim();
    const filtered = env.ok(['ps', '-a', '--no-trunc', '--filter', 'pod=listed', '--format', '{{.ID}}']).split('\n').filter(Boolean).sort();
    assert.deepEqual(filtered, [infra, member].sort());
    assert.equal(env.ok(['ps', '-a', '--filter', `pod=${podId.slice(0, 12)}`, '-q']).split('\n').filter(Boolean).length, 2);
    assert.equal(env.ok(['ps', '-a', '--filter', 'pod=nosuchpod', '-q']), '');
    const rows = env.ok(['ps', '-a', '--pod', '--format', '{{.Names}} {{.Pod}} {{.PodName}}']).split('\n').filter(Boolean).sort();
    assert.deepEqual(rows, [`${podId.slice(0, 12)}-infra ${podId.slice(0, 12)} listed`, `listed-member ${podId.slice(0, 12)} listed`, 'outsider  ']);
    const header = env.ok(['ps', '-a', '--pod']).split('\n')[0]!;
    assert.match(header, /NAMES\s+POD ID\s+PODNAME$/);
    const table = env.ok(['pod', 'ps']).split('\n');
    assert.match(table[0]!, /^POD ID\s+NAME\s+STATUS\s+CREATED\s+INFRA ID\s+# OF CONTAINERS$/);
    assert.match(table[1]!, new RegExp(`^${podId.slice(0, 12)}\\s+listed\\s+Created\\s+.+\\s+${infra.slice(0, 12)}\\s+2$`));
    assert.equal(env.ok(['pod', 'ps', '-q', '--filter', 'label=tier=web']).trim(), podId.slice(0, 12));
    const doc = JSON.parse(env.ok(['pod', 'inspect', 'listed']))[0];
    assert.equal(doc.Name, 'listed');
    // Podman shows the hostname asked for; the members get the pod's name.
    assert.equal(doc.Hostname, '');
    assert.equal(env.ok(['run', '--rm', '--pod', 'listed', IMAGE, 'hostname']), 'listed\n');
    assert.deepEqual(doc.Labels, { tier: 'web' });
    assert.equal(doc.NumContainers, 2);
    assert.equal(doc.CreateInfra, true);
    assert.deepEqual(doc.InfraConfig.infra_command, ['/catatonit', '-P']);
    env.ok(['rm', 'outsider']);
  } finally {
    env.ok(['pod', 'rm', '-f', 'listed']);
  }
});

test('pod kill, pause, unpause, restart, top, logs and stats act on every container of the pod', async () => {
  env.ok(['pod', 'create', '--name', 'verbs']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'verbs']));
  const infraName = `${env.ok(['pod', 'inspect', '-f', '{{.Id}}', 'verbs']).slice(0, 12)}-infra`;
  try {
    env.track(env.ok(['run', '-d', '--pod', 'verbs', '--name', 'verbs-a', IMAGE, 'sh', '-c', 'echo hello-a; exec sleep 300']));
    env.track(env.ok(['run', '-d', '--pod', 'verbs', '--name', 'verbs-b', IMAGE, 'sh', '-c', 'echo hello-b; exec sleep 300']));
    env.ok(['pod', 'pause', 'verbs']);
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'verbs']), 'Paused\n');
    env.ok(['pod', 'unpause', 'verbs']);
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'verbs']), 'Running\n');
    const top = env.ok(['pod', 'top', 'verbs']).split('\n').filter(Boolean);
    assert.match(top[0]!, /^CONTAINER\s+UID\s+PID/);
    const names = new Set(top.slice(1).map((l) => l.split(/\s+/)[0]));
    assert.deepEqual([...names].sort(), [infraName, 'verbs-a', 'verbs-b'].sort());
    const logs = await waitFor(() => {
      const out = env.ok(['pod', 'logs', '--names', 'verbs']);
      return out.includes('hello-a') && out.includes('hello-b') ? out : undefined;
    }, 10_000, 'both members to log');
    assert.deepEqual(logs.split('\n').filter(Boolean).sort(), ['verbs-a hello-a', 'verbs-b hello-b']);
    const stats = env.ok(['pod', 'stats', '--format', '{{.Name}}', 'verbs']).split('\n').filter(Boolean).sort();
    assert.deepEqual(stats, [infraName, 'verbs-a', 'verbs-b'].sort());
    const before = pid('verbs-a');
    env.ok(['pod', 'restart', '-t', '0', 'verbs']);
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'verbs']), 'Running\n');
    assert.notEqual(pid('verbs-a'), before);
    env.ok(['pod', 'kill', 'verbs']);
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.State}}', 'verbs']), 'Exited\n');
    // A stopped pod is what prune removes, its containers with it.
    env.ok(['pod', 'prune', '-f']);
    expectCode(env.run(['pod', 'exists', 'verbs']), 1, 'pod exists after prune');
    assert.equal(env.ok(['ps', '-aq', '--filter', 'name=verbs']), '');
  } finally {
    env.run(['pod', 'rm', '-f', 'verbs']);
  }
});

test('run --pod new:NAME makes the pod with the container ports; a member may not publish or pick a network; unknown pods and taken names are refused', async () => {
  const hostPort = await freePort();
  env.track(env.ok(['run', '-d', '--pod', 'new:fresh', '-p', `127.0.0.1:${hostPort}:8080`, '--name', 'fresh-httpd', IMAGE, 'sh', '-c', HTTPD]));
  try {
    env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'fresh']));
    assert.equal(await waitFor(() => httpGet('127.0.0.1', hostPort), 10_000, 'the new pod port'), 'from-the-pod\n');
    assert.equal(env.ok(['port', `${env.ok(['pod', 'inspect', '-f', '{{.Id}}', 'fresh']).slice(0, 12)}-infra`]), `8080/tcp -> 127.0.0.1:${hostPort}\n`);
    const pub = env.run(['create', '--pod', 'fresh', '-p', '9999:80', IMAGE]);
    expectCode(pub, 125, 'a member publishing a port');
    assert.match(pub.stderr, /^Error: .*ports must be defined when the pod is created/);
    const net = env.run(['create', '--pod', 'fresh', '--network', 'none', IMAGE]);
    expectCode(net, 125, 'a member picking a network');
    const none = env.run(['run', '--rm', '--pod', 'nosuchpod', IMAGE, 'true']);
    expectCode(none, 125, 'an unknown pod');
    assert.equal(none.stderr, 'Error: no pod with name or ID nosuchpod found: no such pod\n');
    const dup = env.run(['pod', 'create', '--name', 'fresh']);
    expectCode(dup, 125, 'a taken pod name');
    assert.match(dup.stderr, /^Error: .*name "fresh" is in use/);
    const infra = env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'fresh']).trim();
    const rmInfra = env.run(['rm', '-f', infra]);
    expectCode(rmInfra, 125, 'rm of the infra container alone');
    assert.match(rmInfra.stderr, /infra container of pod/);
  } finally {
    env.ok(['pod', 'rm', '-f', 'fresh']);
  }
});

test('a pod without an infra container: its containers share nothing, and it has no infra ID', () => {
  env.ok(['pod', 'create', '--name', 'bare', '--infra=false']);
  try {
    assert.equal(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}|{{.CreateInfra}}', 'bare']), '|false\n');
    const host = env.ok(['run', '--rm', '--pod', 'bare', IMAGE, 'hostname']).trim();
    assert.notEqual(host, 'bare');
    assert.equal(env.ok(['pod', 'ps', '--filter', 'name=bare', '--format', '{{.NumberOfContainers}}']), '0\n');
  } finally {
    env.ok(['pod', 'rm', '-f', 'bare']);
  }
});

test('rm -af removes pods with their infra containers; rm -a without force removes stopped pods and keeps running ones', () => {
  env.ok(['pod', 'create', '--name', 'stopped-pod']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'stopped-pod']));
  env.ok(['pod', 'create', '--name', 'running-pod']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'running-pod']));
  env.track(env.ok(['run', '-d', '--pod', 'running-pod', IMAGE, 'sleep', '300']));
  const rm = env.run(['rm', '-a']);
  expectCode(rm, 125, 'rm -a with a running pod member');
  expectCode(env.run(['pod', 'exists', 'stopped-pod']), 1, 'the stopped pod after rm -a');
  expectCode(env.run(['pod', 'exists', 'running-pod']), 0, 'the running pod after rm -a');
  env.ok(['rm', '-af']);
  expectCode(env.run(['pod', 'exists', 'running-pod']), 1, 'the running pod after rm -af');
  assert.equal(env.ok(['ps', '-aq']), '');
});

/** The host path of the cgroup `pid` is in for a v1 controller (the unified one on v2). */
function cgroupOf(p: number, controller: string): string {
  const lines = readFileSync(`/proc/${p}/cgroup`, 'utf8').split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  return v1 ? join('/sys/fs/cgroup', controller, v1.split(':')[2]!) : join('/sys/fs/cgroup', v2!.slice(3));
}

test('pod --cpus/--memory: the pod cgroup holds the limits and is the parent of its containers cgroups; pod rm -f removes it', () => {
  env.ok(['pod', 'create', '--name', 'limited', '--cpus', '0.5', '--memory', '64m']);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'limited']));
  let podCgroups: string[] = [];
  try {
    env.track(env.ok(['run', '-d', '--pod', 'limited', '--name', 'limited-member', IMAGE, 'sleep', '300']));
    const doc = JSON.parse(env.ok(['pod', 'inspect', 'limited']))[0];
    assert.equal(doc.CreateCgroup, true);
    assert.equal(doc.MemoryLimit, 64 * 1024 * 1024);
    assert.equal(doc.CPUQuota, 50_000);
    const v2 = readFileSync('/proc/self/cgroup', 'utf8').startsWith('0::');
    const mem = [cgroupOf(pid('limited-member'), 'memory'), cgroupOf(pid(infra), 'memory')].map(dirname);
    const cpu = [cgroupOf(pid('limited-member'), 'cpu'), cgroupOf(pid(infra), 'cpu')].map(dirname);
    assert.equal(mem[0], mem[1], 'member and infra share a memory cgroup parent');
    assert.ok(mem[0]!.endsWith(doc.CgroupParent), `${mem[0]} is the pod cgroup ${doc.CgroupParent}`);
    podCgroups = [mem[0]!, cpu[0]!];
    if (v2) {
      assert.equal(readFileSync(join(mem[0]!, 'memory.max'), 'utf8').trim(), String(64 * 1024 * 1024));
      assert.equal(readFileSync(join(cpu[0]!, 'cpu.max'), 'utf8').trim(), '50000 100000');
    } else {
      assert.equal(readFileSync(join(mem[0]!, 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
      assert.equal(readFileSync(join(cpu[0]!, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    }
  } finally {
    env.ok(['pod', 'rm', '-f', 'limited']);
  }
  for (const d of podCgroups) assert.equal(existsSync(d), false, `pod cgroup ${d} left`);
});

test('pod events: create, start, stop and remove are recorded with Type pod and the pod name, and filter by pod=', () => {
  const since = new Date().toISOString();
  env.ok(['pod', 'create', '--name', 'evented']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'evented']));
  env.ok(['pod', 'start', 'evented']);
  env.ok(['pod', 'stop', '-t', '0', 'evented']);
  env.ok(['pod', 'rm', 'evented']);
  const out = env.ok(['events', '--since', since, '--until', '0s', '--filter', 'type=pod', '--filter', 'pod=evented', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
  assert.deepEqual(out.split('\n').filter(Boolean), ['pod create evented', 'pod start evented', 'pod stop evented', 'pod remove evented']);
});

test('system prune removes a pod none of whose containers runs, with its infra container, and keeps a running one', () => {
  env.ok(['pod', 'create', '--name', 'idle-pod']);
  const idleInfra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'idle-pod']));
  env.ok(['pod', 'create', '--name', 'busy-pod']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'busy-pod']));
  try {
    env.track(env.ok(['run', '-d', '--pod', 'busy-pod', IMAGE, 'sleep', '300']));
    const idleId = env.ok(['pod', 'inspect', '-f', '{{.Id}}', 'idle-pod']).trim();
    const out = env.ok(['system', 'prune', '-f']);
    assert.ok(out.startsWith(`Deleted Pods:\n${idleId}\n`), out);
    expectCode(env.run(['pod', 'exists', 'idle-pod']), 1, 'the idle pod after system prune');
    expectCode(env.run(['inspect', idleInfra]), 125, 'the idle pod infra container after system prune');
    expectCode(env.run(['pod', 'exists', 'busy-pod']), 0, 'the running pod after system prune');
  } finally {
    env.ok(['pod', 'rm', '-f', 'busy-pod']);
  }
});

test('a pod create killed before its infra container existed: run --pod refuses the pod, pod rm removes it', () => {
  const killed = env.run(['pod', 'create', '--name', 'halfmade'], { env: { SKIFF_TEST_CRASH_AT: 'pod-create:row' } });
  assert.notEqual(killed.code, 0, 'the killed create');
  assert.equal(env.ok(['pod', 'ps', '--filter', 'name=halfmade', '--format', '{{.Name}} {{.InfraID}}']), 'halfmade \n');
  const join = env.run(['run', '--rm', '--pod', 'halfmade', IMAGE, 'true']);
  expectCode(join, 125, 'run --pod of a half-made pod');
  assert.match(join.stderr, /^Error: pod halfmade has no infra container/);
  assert.equal(env.ok(['ps', '-aq', '--filter', 'pod=halfmade']), '');
  env.ok(['pod', 'rm', 'halfmade']);
  expectCode(env.run(['pod', 'exists', 'halfmade']), 1, 'the half-made pod after rm');
});

test('pod --userns=auto: the infra and its members run in one user namespace mapped to 100000, and members still share localhost', async () => {
  env.ok(['pod', 'create', '--name', 'mapped', '--userns', 'auto']);
  const infra = env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'mapped']));
  try {
    // The image's files belong to the host's root, so the mapped root writes only where anyone may.
    const httpd = 'mkdir -p /tmp/www && echo from-the-pod > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www';
    env.track(env.ok(['run', '-d', '--pod', 'mapped', '--name', 'mapped-httpd', IMAGE, 'sh', '-c', httpd]));
    const map = env.ok(['run', '--rm', '--pod', 'mapped', IMAGE, 'cat', '/proc/self/uid_map']).trim().split(/\s+/);
    assert.deepEqual(map, ['0', '100000', '65536']);
    const member = pid('mapped-httpd');
    assert.ok(member > 0, `the member runs: ${env.run(['logs', 'mapped-httpd']).stderr}`);
    assert.equal(readlinkSync(`/proc/${member}/ns/user`), readlinkSync(`/proc/${pid(infra)}/ns/user`));
    const body = await waitFor(() => {
      const r = env.run(['run', '--rm', '--pod', 'mapped', IMAGE, 'wget', '-qO-', 'http://localhost:8080/']);
      return r.code === 0 ? r.stdout : undefined;
    }, 15_000, 'httpd on the pod localhost');
    assert.equal(body, 'from-the-pod\n');
  } finally {
    env.ok(['pod', 'rm', '-f', 'mapped']);
  }
});

test('pod logs -f follows every member, in each member order, and ends when they all ended', async () => {
  env.ok(['pod', 'create', '--name', 'following']);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'following']));
  try {
    env.track(env.ok(['create', '--pod', 'following', '--name', 'follow-a', IMAGE, 'sh', '-c', 'echo a1; sleep 2; echo a2']));
    env.track(env.ok(['create', '--pod', 'following', '--name', 'follow-b', IMAGE, 'sh', '-c', 'sleep 1; echo b1']));
    env.ok(['pod', 'start', 'following']);
    const r = await env.runAsync(['pod', 'logs', '-f', '--names', 'following']);
    expectCode(r, 0, 'pod logs -f');
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual([...lines].sort(), ['follow-a a1', 'follow-a a2', 'follow-b b1']);
    assert.ok(lines.indexOf('follow-a a1') < lines.indexOf('follow-a a2'), r.stdout);
  } finally {
    env.ok(['pod', 'rm', '-f', 'following']);
  }
});
