/**
 * Fault injection for tests: with SKIFF_TEST_CRASH_AT=<point> the process SIGKILLs itself when
 * it reaches that named point, as a user's kill -9 or an OOM kill would at that moment. Unset,
 * a point costs one property read.
 */

// On globalThis, not in a module variable: the CLI's bundles each carry their own copy of
// this module, and the engine bundle arms it for all of them.
const KEY = Symbol.for('skiff.crashAt');
type Holder = { [KEY]?: string };

/**
 * Reads the variable once and removes it from the environment, so that only this process
 * crashes, never the conmon, runc or `container cleanup` processes it starts.
 */
export function armCrashPoints(): void {
  const at = process.env.SKIFF_TEST_CRASH_AT;
  if (at === undefined) return;
  (globalThis as Holder)[KEY] = at;
  delete process.env.SKIFF_TEST_CRASH_AT;
}

export function crashPoint(name: string): void {
  if ((globalThis as Holder)[KEY] !== name) return;
  process.kill(process.pid, 'SIGKILL');
}
