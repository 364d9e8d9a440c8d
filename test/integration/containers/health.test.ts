// Health checks through the skiff CLI: --health-* flags and an image's HEALTHCHECK, probes run
// as exec instances by the on-demand timer process, .State.Health, ps and its health filter,
// health_status events, healthcheck run, the probe timeout, --no-healthcheck, --health-on-failure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE, containerEnv, expectCode, waitFor, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-health-');
});
after(() => env.teardown());

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

function health(ref: string): Health | undefined {
  const doc = JSON.parse(env.ok(['inspect', ref])) as { State: { Health?: Health } }[];
  return doc[0]!.State.Health;
}

const status = (ref: string) => health(ref)?.Status;

async function waitStatus(ref: string, want: string): Promise<Health> {
  return waitFor(() => {
    const h = health(ref);
    return h?.Status === want ? h : undefined;
  }, 90_000, `${ref} to be ${want}`);
}

test('a passing check turns healthy, a failing one unhealthy after its retries; ps, filters, events and inspect show it', async () => {
  const since = new Date().toISOString();
  env.ok(['run', '-d', '--name', 'good', '--health-cmd', 'echo fine', '--health-interval', '1s', IMAGE, 'sleep', '300']);
  env.ok(['run', '-d', '--name', 'bad', '--health-cmd', 'echo broken; exit 3', '--health-interval', '1s', '--health-retries', '2', IMAGE, 'sleep', '300']);
  env.ok(['run', '-d', '--name', 'later', '--health-cmd', 'true', '--health-interval', '1h', IMAGE, 'sleep', '300']);
  assert.equal(status('later'), 'starting');
  assert.match(env.ok(['ps', '--filter', 'name=later', '--format', '{{.Status}}']), /^Up .* \(health: starting\)$/m);
  assert.match(env.ok(['ps', '--filter', 'health=starting', '--format', '{{.Names}}']), /^later$/m);
  const good = await waitStatus('good', 'healthy');
  assert.equal(good.FailingStreak, 0);
  assert.equal(good.Log[0]!.ExitCode, 0);
  assert.equal(good.Log[0]!.Output, 'fine\n');
  assert.ok(Date.parse(good.Log[0]!.End) >= Date.parse(good.Log[0]!.Start));

  const bad = await waitStatus('bad', 'unhealthy');
  assert.ok(bad.FailingStreak >= 2, `streak ${bad.FailingStreak}`);
  assert.equal(bad.Log.at(-1)!.ExitCode, 3);
  assert.equal(bad.Log.at(-1)!.Output, 'broken\n');

  const ps = env.ok(['ps', '--format', '{{.Names}} {{.Status}}']);
  assert.match(ps, /^good Up .* \(healthy\)$/m);
  assert.match(ps, /^bad Up .* \(unhealthy\)$/m);
  assert.equal(env.ok(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}']).trim(), 'good');
  assert.equal(env.ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']).trim(), 'bad');
  assert.equal(env.ok(['inspect', '-f', '{{.Config.Healthcheck.Test}}', 'bad']).trim(), '[CMD-SHELL echo broken; exit 3]');

  // The log keeps the last five results.
  await waitFor(() => ((health('bad')?.Log.length ?? 0) >= 5 ? true : undefined), 90_000, 'five results');
  await waitFor(() => ((health('good')?.Log.length ?? 0) >= 6 ? undefined : true), 1, 'at most five');
  assert.ok(health('good')!.Log.length <= 5);

  const events = env.ok(['events', '--since', since, '--until', new Date().toISOString(), '--format', '{{.Actor.Attributes.name}} {{.Action}}']);
  assert.match(events, /^good health_status: healthy$/m);
  assert.match(events, /^bad health_status: unhealthy$/m);

  // Podman's verb: exit 0 when the probe passes, 1 (saying so) when it fails.
  expectCode(env.run(['healthcheck', 'run', 'good']), 0, 'healthcheck run good');
  const r = env.run(['healthcheck', 'run', 'bad']);
  expectCode(r, 1, 'healthcheck run bad');
  assert.equal(r.stdout, 'unhealthy\n');
  env.ok(['rm', '-f', 'good', 'bad', 'later']);
});

test('healthcheck run: a container without a check or not running is an error', () => {
  env.ok(['run', '-d', '--name', 'plain', IMAGE, 'sleep', '300']);
  const r = env.run(['healthcheck', 'run', 'plain']);
  expectCode(r, 125, 'healthcheck run plain');
  assert.match(r.stderr, /has no defined healthcheck/);
  env.ok(['create', '--name', 'idle', '--health-cmd', 'true', IMAGE, 'sleep', '300']);
  expectCode(env.run(['healthcheck', 'run', 'idle']), 125, 'healthcheck run idle');
  assert.equal(status('plain'), undefined);
  env.ok(['rm', '-f', 'plain', 'idle']);
});

test('a probe past its timeout is killed and counts as a failure', async () => {
  env.ok(['run', '-d', '--name', 'slow', '--health-cmd', 'sleep 120', '--health-timeout', '1s', '--health-interval', '1s', '--health-retries', '1', IMAGE, 'sleep', '300']);
  const h = await waitStatus('slow', 'unhealthy');
  assert.equal(h.Log[0]!.ExitCode, -1);
  assert.match(h.Log[0]!.Output, /Health check exceeded timeout \(1s\)/);
  // Killed: its exec ended (the probe returns only then) well before its 120 s.
  assert.ok(Date.parse(h.Log[0]!.End) - Date.parse(h.Log[0]!.Start) < 60_000);
  env.ok(['rm', '-f', 'slow']);
});

test("an image's HEALTHCHECK applies; --health-* flags override it field by field; --no-healthcheck turns it off", async () => {
  const ctx = join(env.dir, 'hc-build');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nHEALTHCHECK --interval=1s --retries=1 CMD ["test", "-e", "/ok"]\n`);
  env.ok(['build', '-q', '-t', 'hc-image', ctx]);
  env.ok(['run', '-d', '--name', 'fromimage', 'hc-image', 'sleep', '300']);
  await waitStatus('fromimage', 'unhealthy');
  env.ok(['exec', 'fromimage', 'touch', '/ok']);
  await waitStatus('fromimage', 'healthy');
  assert.equal(env.ok(['inspect', '-f', '{{.Config.Healthcheck.Test}}', 'fromimage']).trim(), '[CMD test -e /ok]');

  env.ok(['run', '-d', '--name', 'override', '--health-cmd', 'true', 'hc-image', 'sleep', '300']);
  await waitStatus('override', 'healthy');
  const hc = JSON.parse(env.ok(['inspect', '-f', '{{json .Config.Healthcheck}}', 'override'])) as { Test: string[]; Interval: number; Retries: number };
  assert.deepEqual(hc.Test, ['CMD-SHELL', 'true']);
  assert.equal(hc.Interval, 1e9);

  env.ok(['run', '-d', '--name', 'nocheck', '--no-healthcheck', 'hc-image', 'sleep', '300']);
  assert.equal(status('nocheck'), undefined);
  assert.match(env.ok(['ps', '--filter', 'name=nocheck', '--format', '{{.Status}}']), /^Up [^(]*$/m);
  assert.equal(env.ok(['ps', '--filter', 'health=none', '--format', '{{.Names}}']).trim(), 'nocheck');
  const both = env.run(['create', '--no-healthcheck', '--health-cmd', 'true', IMAGE]);
  expectCode(both, 125, '--no-healthcheck with --health-cmd');
  assert.match(both.stderr, /conflicts with --health-\* options/);
  env.ok(['rm', '-f', 'fromimage', 'override', 'nocheck']);
});

test('--health-on-failure=stop stops the container once it turns unhealthy', async () => {
  env.ok(['run', '-d', '--name', 'onfail', '--health-cmd', 'false', '--health-interval', '1s', '--health-retries', '1', '--health-on-failure', 'stop', IMAGE, 'sleep', '300']);
  await waitFor(() => (env.ok(['inspect', '-f', '{{.State.Status}}', 'onfail']).trim() === 'exited' ? true : undefined), 90_000, 'onfail to stop');
  assert.equal(env.ok(['inspect', '-f', '{{.Config.HealthcheckOnFailureAction}}', 'onfail']).trim(), 'stop');
  const bad = env.run(['create', '--health-on-failure', 'explode', IMAGE]);
  expectCode(bad, 125, 'unknown --health-on-failure');
  env.ok(['rm', '-f', 'onfail']);
});
