// Upgraded (hijacked) exec start over a raw socket: input sent right after the 101 reaches the
// process even when the request body came in a packet of its own, and a client that goes away
// lets go of the session while the process runs on to its recorded end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE, apiEnv, waitFor, type ApiEnv } from './fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let env: ApiEnv;
let box: string;

before(async () => {
  if (skip) return;
  env = await apiEnv('skiff-api-hijack-');
  box = env.ok(['run', '-d', IMAGE, 'sleep', '300']).trim();
});
after(async () => {
  await env?.stop();
});

async function execCreate(cmd: string[]): Promise<string> {
  const r = await env.api('POST', `/containers/${box}/exec`, { Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  assert.equal(r.status, 201, r.text);
  return (r.json() as { Id: string }).Id;
}

/** Sends an upgraded exec start, its body `bodyDelayMs` after the headers; `out()` is all that came back. */
function hijackStart(id: string, bodyDelayMs: number): { sock: Socket; out(): string } {
  const body = JSON.stringify({ Detach: false, Tty: false });
  const sock = connect(env.socket);
  let out = '';
  sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
  sock.on('error', () => undefined);
  sock.write(
    `POST /v1.41/exec/${id}/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  setTimeout(() => sock.write(body), bodyDelayMs);
  return { sock, out: () => out };
}

test('input right after the 101 reaches the process, whether the body came with the headers or after them', { skip }, async () => {
  for (const delay of [0, 300]) {
    const id = await execCreate(['cat']);
    const s = hijackStart(id, delay);
    await waitFor(() => (s.out().includes('101 UPGRADED') ? true : undefined), 10_000, 'the 101');
    s.sock.write('ping\n');
    await waitFor(() => (s.out().includes('ping') ? true : undefined), 10_000, `the echo (body after ${delay} ms)`).catch((e: Error) =>
      assert.fail(`${e.message}: ${JSON.stringify(s.out())}`),
    );
    // half-closing ends the process's stdin: cat exits 0 and the stream ends
    s.sock.end();
    await waitFor(() => (s.sock.destroyed || s.sock.readableEnded ? true : undefined), 10_000, 'the stream to end');
    const d = (await env.api('GET', `/exec/${id}/json`)).json() as { Running: boolean; ExitCode: number | null };
    assert.deepEqual([d.Running, d.ExitCode], [false, 0]);
  }
});

test('a client that vanishes lets go of the session; the process ends on its own and its code is recorded', { skip }, async () => {
  const id = await execCreate(['sh', '-c', 'cat; exit 3']);
  const s = hijackStart(id, 0);
  await waitFor(() => (s.out().includes('101 UPGRADED') ? true : undefined), 10_000, 'the 101');
  s.sock.write('ping\n');
  await waitFor(() => (s.out().includes('ping') ? true : undefined), 10_000, 'the echo');
  // gone without a half-close: the session's end closes the process's stdin, as dockerd does
  s.sock.destroy();
  const d = await waitFor(
    async () => {
      const doc = (await env.api('GET', `/exec/${id}/json`)).json() as { Running: boolean; ExitCode: number | null };
      return doc.Running ? undefined : doc;
    },
    10_000,
    'the exec to end',
  );
  assert.equal(d.ExitCode, 3);
  // the service still serves
  await sleep(50);
  assert.equal((await env.api('GET', '/_ping')).text, 'OK');
});
