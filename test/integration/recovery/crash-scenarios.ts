// Fault injection shared by the crash-*.test.ts files: the CLI SIGKILLs itself at a named point
// (SKIFF_TEST_CRASH_AT); after each kill the next commands work, and one `system prune -a -f`
// leaves nothing that no object owns.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import type { NetEnv } from '../network/fixtures.js';
import { assertConsistent } from './state-check.js';

export interface Scenario {
  /** The command killed at `point`. */
  args: string[];
  point: string;
  /** Commands that make what the killed one works on. */
  setup?: string[][];
  /** The container the killed command worked on, by name. */
  victim?: string;
}

/** Runs the scenario: the CLI must die by SIGKILL at the point (which proves the point is on that path). */
export function crash(env: NetEnv, s: Scenario): void {
  for (const a of s.setup ?? []) env.ok(a);
  const r = env.run(s.args, { env: { SKIFF_TEST_CRASH_AT: s.point } });
  assert.equal(r.code, 128, `skiff ${s.args.join(' ')} at ${s.point} was not killed: exit ${r.code}, ${r.stderr}`);
}

/** What must work after any kill: ps -a, start and rm -f of the victim, a fresh run --rm. */
export function nextCommandsWork(env: NetEnv, s: Scenario): void {
  const what = `after ${s.args.join(' ')} killed at ${s.point}`;
  const ps = env.run(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
  assert.equal(ps.code, 0, `${what}: ps -a: ${ps.stderr}`);
  const victim = ps.stdout.split('\n').find((l) => l.split(' ')[0] === s.victim);
  if (s.victim && victim) {
    // A victim left running (a connect's) is not started again: skiff refuses, as before.
    if (victim.split(' ')[1] !== 'running') {
      const start = env.run(['start', s.victim]);
      assert.equal(start.code, 0, `${what}: start ${s.victim}: ${start.stderr}`);
    }
    const rm = env.run(['rm', '-f', s.victim]);
    assert.equal(rm.code, 0, `${what}: rm -f ${s.victim}: ${rm.stderr}`);
  }
  const fresh = env.run(['run', '--rm', IMAGE, 'echo', 'fresh']);
  assert.equal(fresh.code, 0, `${what}: run --rm: ${fresh.stderr}`);
  assert.equal(fresh.stdout, 'fresh\n', what);
}

/** One prune pass, then nothing is left that no object owns, and system check finds nothing. */
export function pruneAndCheck(env: NetEnv, what: string): void {
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
  // prune -a took the image: what follows needs it again.
  env.ok(['import', '--change', 'CMD ["/bin/sh"]', env.tar, IMAGE]);
}

/** Each scenario, then one prune and the checks. Returns how many points were reached. */
export function runAll(env: NetEnv, scenarios: Scenario[], group: string): number {
  for (const s of scenarios) {
    crash(env, s);
    nextCommandsWork(env, s);
  }
  pruneAndCheck(env, group);
  return scenarios.length;
}

export const START_POINTS = [
  'create:row', 'create:layer', 'start:begin', 'start:mounted', 'network:recorded', 'network:netns', 'network:before-setup',
  'network:after-setup', 'start:network', 'start:volumes', 'start:spec', 'start:created', 'start:started',
];
