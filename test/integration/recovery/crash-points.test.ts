// Fault injection: the CLI SIGKILLs itself at a named point (SKIFF_TEST_CRASH_AT) inside run,
// run -d, rm -f, build, pull, import, volume create / copy-up and network connect. After each
// kill the next commands work, and one `system prune -a -f` leaves nothing that no object owns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { startRegistry, type Registry } from '../registry/fixtures.js';
import { assertConsistent, psRows } from './state-check.js';

let env: NetEnv;
let reg: Registry;
const reached: string[] = [];

before(async () => {
  env = netEnv('skiff-crash-');
  reg = await startRegistry(mkdtempSync(join(env.dir, 'registry-')));
  env.ok(['push', `${IMAGE}:latest`, `docker://${reg.host}/crash/bb:1`]);
});
after(async () => {
  reg?.stop();
  await env.teardownNet();
});

interface Scenario {
  /** The command killed at `point`. */
  args: string[];
  point: string;
  /** Commands that make what the killed one works on. */
  setup?: string[][];
  /** The container the killed command worked on, by name. */
  victim?: string;
}

/** Runs the scenario: the CLI must die by SIGKILL at the point (which proves the point is on that path). */
function crash(s: Scenario): void {
  for (const a of s.setup ?? []) env.ok(a);
  const r = env.run(s.args, { env: { SKIFF_TEST_CRASH_AT: s.point } });
  assert.equal(r.code, 128, `skiff ${s.args.join(' ')} at ${s.point} was not killed: exit ${r.code}, ${r.stderr}`);
  reached.push(`${s.args[0]}@${s.point}`);
}

/** What must work after any kill: ps -a, start and rm -f of the victim, a fresh run --rm. */
function nextCommandsWork(s: Scenario): void {
  const what = `after ${s.args.join(' ')} killed at ${s.point}`;
  const ps = env.run(['ps', '-a', '--format', '{{.Names}}']);
  assert.equal(ps.code, 0, `${what}: ps -a: ${ps.stderr}`);
  if (s.victim && ps.stdout.split('\n').includes(s.victim)) {
    const start = env.run(['start', s.victim]);
    assert.equal(start.code, 0, `${what}: start ${s.victim}: ${start.stderr}`);
    const rm = env.run(['rm', '-f', s.victim]);
    assert.equal(rm.code, 0, `${what}: rm -f ${s.victim}: ${rm.stderr}`);
  }
  const fresh = env.run(['run', '--rm', IMAGE, 'echo', 'fresh']);
  assert.equal(fresh.code, 0, `${what}: run --rm: ${fresh.stderr}`);
  assert.equal(fresh.stdout, 'fresh\n', what);
}

/** One prune pass, then nothing is left that no object owns, and system check finds nothing. */
function pruneAndCheck(what: string): void {
  env.ok(['rm', '-af']);
  env.ok(['system', 'prune', '-a', '-f']);
  const rows = assertConsistent(env, what);
  assert.deepEqual(rows, [], `${what}: containers left after rm -af and prune`);
  const ours = readdirSync('/run/netns').filter((n) => n.startsWith('skiff-'));
  const leaked = ours.filter((n) => existsSync(join(env.runroot, 'containers', n.slice(6))));
  assert.deepEqual(leaked, [], `${what}: netns left`);
  assert.deepEqual(existsSync(join(env.runroot, 'build')) ? readdirSync(join(env.runroot, 'build')) : [], [], `${what}: build dirs left`);
  const check = env.run(['system', 'check']);
  assert.equal(check.code, 0, `${what}: system check after prune: ${check.stdout}${check.stderr}`);
  assert.equal(check.stdout, 'No problems found\n', what);
  // prune -a took the image: the next scenarios need it again.
  env.ok(['import', '--change', 'CMD ["/bin/sh"]', env.tar, IMAGE]);
}

function runAll(scenarios: Scenario[], group: string): void {
  for (const s of scenarios) {
    crash(s);
    nextCommandsWork(s);
  }
  pruneAndCheck(group);
}

const START_POINTS = [
  'create:row', 'create:layer', 'start:begin', 'start:mounted', 'network:recorded', 'network:netns', 'network:before-setup',
  'network:after-setup', 'start:network', 'start:volumes', 'start:spec', 'start:created', 'start:started',
];

test('run (foreground) killed at each step of create, start and exit', () => {
  runAll(
    [...START_POINTS, 'exit:recorded', 'exit:released'].map((point) => ({ args: ['run', '--name', 'v', IMAGE, 'sleep', '1'], point, victim: 'v' })),
    'run',
  );
});

test('run -d killed at each step of create and start; run --rm at each step of its removal', () => {
  runAll(
    [
      ...START_POINTS.map((point) => ({ args: ['run', '-d', '--name', 'd', IMAGE, 'sleep', '300'], point, victim: 'd' })),
      ...['rm:row', 'rm:layer'].map((point) => ({ args: ['run', '--rm', '--name', 'r', IMAGE, 'true'], point, victim: 'r' })),
    ],
    'run -d',
  );
});

test('rm -f killed at each step', () => {
  runAll(
    ['rm:killed', 'rm:removing', 'rm:released', 'rm:row', 'rm:layer'].map((point) => ({
      setup: [['run', '-d', '--name', 'x', IMAGE, 'sleep', '300']],
      args: ['rm', '-f', 'x'],
      point,
      victim: 'x',
    })),
    'rm -f',
  );
});

test('volume create, copy-up into a new volume and volume rm killed midway; the next use redoes the copy', () => {
  runAll(
    [
      { args: ['volume', 'create', 'vol'], point: 'volume-create:row' },
      { setup: [['volume', 'create', 'cu1']], args: ['run', '--name', 'c1', '-v', 'cu1:/bin', IMAGE, 'true'], point: 'copy-up:begin', victim: 'c1' },
      { setup: [['volume', 'create', 'cu2']], args: ['run', '--name', 'c2', '-v', 'cu2:/bin', IMAGE, 'true'], point: 'copy-up:copied', victim: 'c2' },
      { setup: [['volume', 'create', 'gone']], args: ['volume', 'rm', 'gone'], point: 'volume-rm:row' },
    ],
    'volumes',
  );
  // The half copies were redone by the next start (the victims' start above): the volume has the whole /bin.
  for (const v of ['cu1', 'cu2']) {
    const ls = env.run(['run', '--rm', '-v', `${v}:/data`, IMAGE, 'ls', '/data']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(ls.stdout.split('\n').includes('sh'), `volume ${v} holds the image's /bin after the redo: ${ls.stdout}`);
  }
  // A volume whose rm was killed after its row went can be made again, empty.
  env.ok(['volume', 'create', 'gone']);
  env.ok(['volume', 'rm', 'vol', 'gone', 'cu1', 'cu2']);
  pruneAndCheck('volumes again');
});

test('network connect of a running container killed midway', () => {
  env.createNetwork('crashnet', 1);
  runAll(
    ['connect:recorded', 'network:before-setup', 'network:after-setup'].map((point) => ({
      setup: [['run', '-d', '--name', 'n', IMAGE, 'sleep', '300']],
      args: ['network', 'connect', 'crashnet', 'n'],
      point,
      victim: 'n',
    })),
    'network connect',
  );
});

test('build killed at each step, its RUN container included', () => {
  const ctxDir = join(env.dir, 'build-ctx');
  mkdirSync(ctxDir, { recursive: true });
  writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM bb\nRUN echo hi > /f\nCOPY a /a\n');
  writeFileSync(join(ctxDir, 'a'), 'a\n');
  runAll(
    ['build:workdir', 'build:context', 'build-run:row', 'start:mounted', 'start:spec', 'start:created', 'build-run:started', 'build-run:exited', 'build:written'].map(
      (point) => ({ args: ['build', '--no-cache', '-t', 'built', ctxDir], point }),
    ),
    'build',
  );
});

test('import and pull killed at each step; the next import or pull works', () => {
  const scenarios: Scenario[] = [
    ...['import:ingested', 'import:layer', 'import:committed'].map((point) => ({ args: ['import', env.tar, 'imp'], point })),
    ...['pull:config', 'pull:layers'].map((point) => ({ args: ['pull', `${reg.host}/crash/bb:1`], point })),
  ];
  for (const s of scenarios) {
    crash(s);
    nextCommandsWork(s);
    env.ok(s.args);
    env.ok(['rmi', s.args.at(-1)!]);
  }
  pruneAndCheck('import and pull');
});

test('the points reached number at least 50', () => {
  assert.ok(reached.length >= 50, `${reached.length} points: ${reached.join(' ')}`);
  void psRows;
});
