// Shared set-up for the pod tests: a network env of their own (a private default network, so
// published ports and bridges never meet another test's), and what a removed pod must not leave.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { conmonsUnder, mountsUnder, processAlive } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
export { httpGet } from '../../helpers/http.js';

export { IMAGE, expectCode, waitFor } from '../containers/fixtures.js';

export function podEnv(prefix: string): NetEnv {
  return netEnv(prefix);
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Nothing of these containers is left on the host: mounts, netns, conmon, their processes (`pids`, read while they ran). */
export function assertNothingLeft(env: NetEnv, ids: string[], pids: number[]): void {
  assert.deepEqual(mountsUnder(env.dir), [], 'mounts left behind');
  assert.deepEqual(conmonsUnder(env.dir), [], 'conmon left behind');
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  assert.deepEqual(netns.filter((n) => ids.some((id) => n.includes(id))), [], 'network namespaces left');
  assert.deepEqual(pids.filter(processAlive), [], 'container processes left');
}
