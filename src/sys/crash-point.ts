/**
 * Fault injection for tests: with SKIFF_TEST_CRASH_AT=<point> the process SIGKILLs itself when
 * it reaches that named point, as a user's kill -9 or an OOM kill would at that moment. Unset,
 * a point costs one comparison with undefined.
 */
let target: string | undefined;

/**
 * Reads the variable once and removes it from the environment, so that only this process
 * crashes, never the conmon, runc or `container cleanup` processes it starts.
 */
export function armCrashPoints(): void {
  if (target !== undefined || process.env.SKIFF_TEST_CRASH_AT === undefined) return;
  target = process.env.SKIFF_TEST_CRASH_AT;
  delete process.env.SKIFF_TEST_CRASH_AT;
}

export function crashPoint(name: string): void {
  if (target === undefined || name !== target) return;
  process.kill(process.pid, 'SIGKILL');
}
