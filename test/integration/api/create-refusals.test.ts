// Docker's input rules over the API: what dockerd refuses at container create is refused with
// its status (400, 404 for what does not exist) and words, through the docker CLI and
// python3-docker, with raw requests for the status codes; nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { apiEnv, IMAGE, type ApiEnv } from './fixtures.js';
import { footprint } from '../containers/footprint.js';

async function status(env: ApiEnv, hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ status: number; message: string }> {
  const r = await env.api('POST', '/v1.41/containers/create', { Image: IMAGE, Cmd: ['true'], ...extra, HostConfig: hostConfig });
  return { status: r.status, message: (JSON.parse(r.text) as { message?: string }).message ?? '' };
}

test('docker run: refused resources, restart policies and network modes exit 125 with the daemon’s words; nothing is created', async () => {
  const env = await apiEnv('skiff-api-refuse-');
  try {
    const before = footprint(env);
    const refused: [string[], string][] = [
      [['-m', '4m'], 'Minimum memory limit allowed is 6MB'],
      [['--memory-swap', '1g'], 'You should always set the Memory limit when using Memoryswap limit, see usage'],
      [['--memory-reservation', '16m', '-m', '8m'], 'Minimum memory limit can not be less than memory reservation limit, see usage'],
      [['--cpus', '100000'], 'Range of CPUs is from 0.01 to'],
      [['--cpu-shares', '-5'], 'invalid CPU shares -5'],
      [['--cpu-period', '5'], 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
      [['--cpuset-cpus', 'abc'], 'Invalid value abc for cpuset cpus: invalid format: abc'],
      [['--restart', 'bogus'], "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
      [['--restart', 'always:2'], "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
      [['--network', 'container:'], 'invalid network mode: invalid container format container:<name|id>'],
    ];
    for (const [flags, message] of refused) {
      const r = env.docker(['run', ...flags, IMAGE, 'true']);
      assert.equal(r.code, 125, `docker run ${flags.join(' ')} exited ${r.code}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`Error response from daemon: ${message}`), `docker run ${flags.join(' ')}: ${r.stderr}`);
    }
    // A 404 (no such network or container) makes the docker CLI pull the image and try again,
    // which needs a registry: those are checked with raw requests below.
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.stop();
  }
});

test('POST /containers/create: 400 for invalid values (non-integer CpuShares too), 404 for a missing network or container; failed volume creates leave no volume', async () => {
  const env = await apiEnv('skiff-api-refuse-');
  try {
    const before = footprint(env);
    const bad: [Record<string, unknown>, number, string][] = [
      [{ Memory: -1 }, 400, 'Minimum memory limit allowed is 6MB'],
      [{ Memory: 1024 }, 400, 'Minimum memory limit allowed is 6MB'],
      [{ MemoryReservation: -5 }, 400, 'Minimum memory reservation allowed is 6MB'],
      [{ NanoCpus: -1 }, 400, 'Range of CPUs is from 0.01 to'],
      [{ NanoCpus: 1e9, CpuQuota: 50000 }, 400, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'],
      [{ CpuShares: 1.5 }, 400, 'invalid CPU shares 1.5: want an integer'],
      [{ CpuShares: -2 }, 400, 'invalid CPU shares -2'],
      [{ CpuQuota: 10 }, 400, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
      [{ CpusetMems: '9999' }, 400, 'Requested memory nodes are not available - requested 9999'],
      [{ RestartPolicy: { Name: 'sometimes' } }, 400, "invalid restart policy: unknown policy 'sometimes'"],
      [{ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } }, 400, 'invalid restart policy: maximum retry count cannot be negative'],
      [{ RestartPolicy: { Name: 'always' }, AutoRemove: true }, 400, "can't create 'AutoRemove' container with restart policy"],
      [{ NetworkMode: 'container:' }, 400, 'invalid network mode: invalid container format container:<name|id>'],
      [{ NetworkMode: 'container:nope' }, 404, 'No such container: nope'],
      [{ NetworkMode: 'nonet' }, 404, 'network nonet not found'],
      [{ OomScoreAdj: -1001 }, 400, 'Invalid value -1001, range for oom score adj is [-1000, 1000]'],
      [{ Mounts: [{ Type: 'bind', Source: join(env.dir, 'missing'), Target: '/x' }] }, 400, 'bind source path does not exist'],
    ];
    for (const [hc, want, message] of bad) {
      const r = await status(env, hc);
      assert.equal(r.status, want, `${JSON.stringify(hc)}: ${r.status} ${r.message}`);
      assert.ok(r.message.startsWith(message) || r.message.includes(message), `${JSON.stringify(hc)}: ${r.message}`);
    }
    env.dockerOk(['create', '--name', 'other', IMAGE, 'true']);
    const withOther = footprint(env);
    const conflict = await status(env, { NetworkMode: 'container:other', Dns: ['1.1.1.1'] });
    assert.deepEqual(conflict, { status: 400, message: 'conflicting options: dns and the network mode' });
    const exposing = await status(env, { NetworkMode: 'container:other' }, { ExposedPorts: { '80/tcp': {} } });
    assert.deepEqual(exposing, { status: 400, message: 'conflicting options: port exposing and the container type network mode' });
    assert.deepEqual(footprint(env), withOther);
    env.dockerOk(['rm', 'other']);
    const badVolume = await env.api('POST', '/v1.41/volumes/create', { Name: 'bad/name' });
    assert.equal(badVolume.status, 400, badVolume.text);
    const cli = env.docker(['volume', 'create', '--opt', 'type=tmpfs', 'v1']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /Error response from daemon: create v1: missing required option: "device"/);
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.stop();
  }
});

test('python3-docker: a non-integer CpuShares and a bad restart policy are 400 APIErrors; Binds make a missing source, as Docker does', async () => {
  const env = await apiEnv('skiff-api-refuse-');
  try {
    const before = footprint(env);
    const made = join(env.dir, 'made-by-binds');
    const script = `
import docker, sys
c = docker.DockerClient(base_url='unix://${env.socket}', version='1.41')
for hc in ({'CpuShares': 1.5}, {'RestartPolicy': {'Name': 'bogus'}}, {'Memory': -1}):
    try:
        c.api.create_container('${IMAGE}', ['true'], host_config=hc)
        print('created', hc); sys.exit(1)
    except docker.errors.APIError as e:
        print(e.status_code, e.explanation)
print(len(c.containers.list(all=True)))
ctr = c.api.create_container('${IMAGE}', ['true'], host_config=c.api.create_host_config(binds=['${made}:/data']))
print('ok', len(ctr['Id']))
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], '400 invalid CPU shares 1.5: want an integer');
    assert.equal(lines[1], "400 invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
    assert.equal(lines[2], '400 Minimum memory limit allowed is 6MB');
    assert.equal(lines[3], '0');
    assert.equal(lines[4], 'ok 64');
    assert.ok(existsSync(made), 'HostConfig.Binds made the missing source directory');
    assert.equal(footprint(env).containers.length, before.containers.length + 1);
  } finally {
    await env.stop();
  }
});
