// `--network slirp4netns` as root (Podman's rootless default, which root may ask for too): the
// container's netns gets tap0, -p is slirp4netns's listener on the host, and rm -f leaves no
// slirp4netns process and no /run/netns entry (its bind mount intact while it ran: no sandbox).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { IMAGE, netEnv, waitFor, type NetEnv } from './fixtures.js';
import { httpGet } from '../../helpers/http.js';
import { skipped, tool } from '../../helpers/requires.js';

let env: NetEnv;

before(() => {
  env = netEnv('skiff-netslirp-');
});
after(async () => {
  await env.teardownNet();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** slirp4netns processes whose command line names this container's netns. */
function slirpOf(id: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').some((a) => a === `/run/netns/skiff-${id}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('as root, --network slirp4netns -p HOST:80 serves busybox httpd to the host through tap0; rm -f leaves no slirp4netns and no /run/netns entry', async (t) => {
  if (skipped(t, tool('slirp4netns'))) return;
  const port = await freePort();
  const id = env.track(env.ok(['run', '-d', '--network', 'slirp4netns', '-p', `${port}:80`, IMAGE, 'sh', '-c', 'mkdir -p /www && echo via slirp > /www/index.html && exec httpd -f -p 80 -h /www']).trim());
  assert.equal(await waitFor(() => httpGet('127.0.0.1', port), 10_000, 'the published port to answer'), 'via slirp\n');
  assert.equal(env.ok(['exec', id, 'sh', '-c', "ip -4 -o addr show tap0 | awk '{print $4}'"]), '10.0.2.100/24\n');
  assert.equal(slirpOf(id).length, 1);
  env.ok(['rm', '-f', id]);
  assert.deepEqual(slirpOf(id), []);
  assert.equal(existsSync(`/run/netns/skiff-${id}`), false);
});
