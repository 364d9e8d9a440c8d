// Log drivers and options through the CLI: refused at create with exit 125 and nothing made;
// max-size honoured by conmon while a container writes far more; --tail on a big log; the
// none driver; skiff.conf's log_size_max.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE, containerDirs, containerEnv, expectCode, waitFor, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-logs-');
});
after(() => env.teardown());

const JOURNALD = existsSync('/run/systemd/journal/socket');

function assertNothingCreated(what: string): void {
  assert.equal(env.ok(['ps', '-aq']), '', `${what}: ps -a lists a container`);
  assert.deepEqual(containerDirs(env), { run: [], root: [] }, `${what}: container directories made`);
}

test('an unknown log driver, an unknown or malformed log option: exit 125 at create, nothing created', () => {
  const cases: [string[], RegExp][] = [
    [['--log-driver', 'syslog'], /no log driver named 'syslog'/],
    [['--log-driver', 'fluentd', '--log-opt', 'max-size=1m'], /no log driver named 'fluentd'/],
    [['--log-opt', 'colour=blue'], /unknown log opt 'colour' for json-file log driver/],
    [['--log-driver', 'k8s-file', '--log-opt', 'tag=x'], /unknown log opt 'tag' for k8s-file log driver/],
    [['--log-driver', 'none', '--log-opt', 'max-size=1m'], /unknown log opt 'max-size' for none log driver/],
    [['--log-opt', 'max-size=ten'], /invalid log opt max-size "ten"/],
    [['--log-opt', 'max-size'], /invalid log opt max-size ""/],
    [['--log-opt', 'max-size=1k'], /at least 8192 bytes/],
    [['--log-opt', 'max-file=0'], /max-file cannot be less than 1/],
    [['--log-opt', 'max-file=x'], /invalid log opt max-file "x"/],
    [['--log-opt', 'max-size=10m', '--log-opt', 'max-file=3'], /max-file=3 is not supported/],
  ];
  for (const [flags, message] of cases) {
    for (const verb of [['create'], ['run', '-d']]) {
      const r = env.run([...verb, ...flags, IMAGE, 'true']);
      expectCode(r, 125, `${verb.join(' ')} ${flags.join(' ')}`);
      assert.match(r.stderr, /^Error: /, r.stderr);
      assert.match(r.stderr, message);
      assertNothingCreated(flags.join(' '));
    }
  }
});

test('journald is refused while journald does not run here, and accepted where it does', () => {
  const r = env.run(['create', '--log-driver', 'journald', IMAGE, 'true']);
  if (JOURNALD) {
    expectCode(r, 0, 'create --log-driver journald');
    env.ok(['rm', r.stdout.trim()]);
  } else {
    expectCode(r, 125, 'create --log-driver journald');
    assert.match(r.stderr, /journald needs a running journald, and \/run\/systemd\/journal\/socket does not exist/);
  }
  assertNothingCreated('journald');
});

/** Samples the log's size until the container exits; returns the largest seen. */
async function largestUntilExit(name: string, logPath: string): Promise<number> {
  let largest = 0;
  let exited = false;
  const waiting = env.runAsync(['wait', name]).then((r) => ((exited = true), r));
  while (!exited) {
    try {
      largest = Math.max(largest, statSync(logPath).size);
    } catch {
      // before conmon's first write
    }
    await sleep(2);
  }
  expectCode(await waiting, 0, 'wait');
  return largest;
}

test('max-size=10m: the log never passes 10 MB while the container writes 100 MB; a restart keeps the last run aside', async () => {
  const line = 'x'.repeat(99);
  env.ok(['run', '-d', '--name', 'capped', '--log-opt', 'max-size=10m', IMAGE, 'sh', '-c', `sleep 0.5; yes ${line} | head -c 100000000; echo last`]);
  assert.equal(env.ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'capped']).trim(), '{"Type":"json-file","Config":{"max-size":"10m"}}');
  const logPath = env.ok(['inspect', '-f', '{{.LogPath}}', 'capped']).trim();
  const largest = await largestUntilExit('capped', logPath);
  assert.ok(largest <= 10_000_000, `the log reached ${largest} bytes`);
  assert.equal(env.ok(['logs', '--tail', '1', 'capped']), 'last\n');
  const kept = env.ok(['logs', 'capped']).split('\n');
  assert.ok(kept.length < 10_000_000 / 100, `${kept.length} lines kept`);
  // The first record may be the end of a line whose start went with the emptied file.
  assert.ok(kept.slice(1, -2).every((l) => l === line));

  env.ok(['start', 'capped']);
  assert.equal(env.ok(['wait', 'capped']).trim(), '0');
  for (const p of [logPath, `${logPath}.1`]) assert.ok(statSync(p).size <= 10_000_000, `${p}: ${statSync(p).size} bytes`);
  assert.equal(env.ok(['logs', '--tail', '2', 'capped']), `${line}\nlast\n`);
  assert.equal(env.ok(['logs', 'capped']).split('\n').filter((l) => l === 'last').length, 2);
  env.ok(['rm', 'capped']);
});

test('a 200 MB log: --tail reads its end, --since in the future reads nothing, logs -f ends with the container', async () => {
  // conmon reads stdout and stderr as each becomes readable: the pause lets it drain stdout first,
  // so the file's last records are stdout's and then stderr's, as the assertions below read them.
  env.ok(['run', '-d', '--name', 'big', IMAGE, 'sh', '-c', 'yes 0123456789012345678901234567890123456789 | head -c 200000000; echo; echo one; sleep 1; echo two >&2']);
  try {
    await bigLogChecks();
  } finally {
    env.run(['rm', '-f', 'big']);
  }
});

async function bigLogChecks(): Promise<void> {
  assert.equal(env.ok(['wait', 'big']).trim(), '0');
  const logPath = env.ok(['inspect', '-f', '{{.LogPath}}', 'big']).trim();
  assert.ok(statSync(logPath).size > 200_000_000);
  const r = env.run(['logs', '--tail', '2', 'big']);
  expectCode(r, 0, 'logs --tail 2');
  assert.equal(r.stdout, 'one\n');
  assert.equal(r.stderr, 'two\n');
  // 200 000 000 bytes of 41-byte lines end with 32 bytes of one, completed by the echo.
  assert.equal(env.ok(['logs', '--tail', '4', 'big']).split('\n').slice(-3).join('|'), '01234567890123456789012345678901|one|');
  assert.equal(env.ok(['logs', '--since', '2099-01-01T00:00:00Z', 'big']), '');
  const f = await env.runAsync(['logs', '-f', '--tail', '1', 'big']);
  expectCode(f, 0, 'logs -f --tail 1 on an exited container');
  assert.equal(f.stderr, 'two\n');
}

test('--log-driver none: no log file, and logs says the driver cannot be read', async () => {
  env.ok(['run', '-d', '--name', 'quiet', '--log-driver', 'none', IMAGE, 'echo', 'hello']);
  assert.equal(env.ok(['wait', 'quiet']).trim(), '0');
  const logPath = env.ok(['inspect', '-f', '{{.LogPath}}', 'quiet']).trim();
  assert.equal(existsSync(logPath), false);
  assert.equal(env.ok(['inspect', '-f', '{{.HostConfig.LogConfig.Type}}', 'quiet']).trim(), 'none');
  const r = env.run(['logs', 'quiet']);
  expectCode(r, 125, 'logs on a none container');
  assert.match(r.stderr, /configured logging driver does not support reading/);
  env.ok(['rm', 'quiet']);
});

test("skiff.conf's log_size_max is the default max-size; --log-opt max-size overrides it; a bad value is refused", async () => {
  const conf = join(env.dir, 'capped.conf');
  writeFileSync(conf, `${readFileSync(env.env.SKIFF_CONFIG!, 'utf8')}\n[containers]\nlog_size_max = 100000\n`);
  const withConf = (args: string[]) => env.run(args, { env: { SKIFF_CONFIG: conf } });
  expectCode(withConf(['run', '-d', '--name', 'dflt', IMAGE, 'sh', '-c', 'yes 0123456789 | head -c 3000000']), 0, 'run with log_size_max');
  expectCode(withConf(['run', '-d', '--name', 'own', '--log-opt', 'max-size=20k', IMAGE, 'true']), 0, 'run with its own max-size');
  assert.equal(env.ok(['inspect', '-f', '{{index .HostConfig.LogConfig.Config "max-size"}}', 'dflt']).trim(), '100000');
  assert.equal(env.ok(['inspect', '-f', '{{index .HostConfig.LogConfig.Config "max-size"}}', 'own']).trim(), '20k');
  assert.equal(env.ok(['wait', 'dflt']).trim(), '0');
  const logPath = env.ok(['inspect', '-f', '{{.LogPath}}', 'dflt']).trim();
  assert.ok(statSync(logPath).size <= 100_000);
  env.ok(['rm', 'dflt', 'own']);

  writeFileSync(conf, `${readFileSync(env.env.SKIFF_CONFIG!, 'utf8')}\n[containers]\nlog_size_max = 100\n`);
  const r = withConf(['create', IMAGE, 'true']);
  expectCode(r, 125, 'log_size_max = 100');
  assert.match(r.stderr, /log_size_max must be a negative number \(unlimited\) or at least 8192 bytes/);
  await waitFor(() => (env.ok(['ps', '-aq']) === '' ? true : undefined), 5000, 'no container');
  assertNothingCreated('log_size_max = 100');
});
