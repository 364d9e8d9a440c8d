// The symlink-exchange race (Docker's `docker cp` CVE-2018-15664 class): a container swaps a
// directory and a symlink pointing at a host canary with renameat2(RENAME_EXCHANGE) as fast as
// it can while skiff copies through that directory, over and over. Every copy must resolve
// inside the container: the canary is never written, and its content never shows up in what
// was copied out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { IMAGE, apiEnv, type ApiEnv } from '../api/fixtures.js';
import type { Engine } from '../../../src/engine/index.js';

const ROUNDS = Number(process.env.SKIFF_RACE_ROUNDS ?? 1000);
const EXCHANGE_C = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#define RENAME_EXCHANGE (1 << 1)
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  for (;;) syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE);
}
`;

let env: ApiEnv;
let engine: Engine;
let canary: string;
let secret: string;
let work: string;

before(async () => {
  env = await apiEnv('skiff-cp-race-');
  work = join(env.dir, 'work');
  canary = join(env.dir, 'canary');
  mkdirSync(work);
  mkdirSync(canary);
  secret = `HOST-SECRET-${randomBytes(8).toString('hex')}`;
  writeFileSync(join(canary, 'secret.txt'), secret);
  writeFileSync(join(work, 'exchange.c'), EXCHANGE_C);
  execFileSync('gcc', ['-static', '-O2', '-o', join(work, 'exchange'), join(work, 'exchange.c')]);
  // Two exchange loops: an absolute symlink, and one that climbs with "..".
  const climb = '../'.repeat(12) + canary.slice(1);
  const setup = [
    'mkdir -p /race/a/dir /race/b/dir',
    'echo inside > /race/a/dir/f',
    'echo inside > /race/b/dir/f',
    `ln -s ${canary} /race/a/link`,
    `ln -s ${climb} /race/b/link`,
    '{ /exchange /race/b/dir /race/b/link & }',
    'exec /exchange /race/a/dir /race/a/link',
  ].join(' && ');
  env.ok(['create', '--name', 'race', IMAGE, 'sh', '-c', setup]);
  env.ok(['cp', join(work, 'exchange'), 'race:/exchange']);
  env.ok(['start', 'race']);
  // Both loops run before any copy starts.
  assert.equal(env.ok(['exec', 'race', 'sh', '-c', 'pgrep -c exchange || ps | grep -c "[/]exchange"']).trim(), '2');
  const { createEngine, loadConfig } = await import('../../../src/engine/index.js');
  engine = createEngine({ config: loadConfig({ path: env.env.SKIFF_CONFIG }), root: env.root, runroot: env.runroot });
});
after(async () => {
  engine?.close?.();
  await env.stop();
});

/** One request; a response cut short (a copy that failed mid-stream) is status -1 with what came. */
function http(method: string, path: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = request({ socketPath: env.socket, method, path, headers: body ? { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } : {} }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', () => resolve({ status: -1, body: Buffer.concat(chunks) }));
    });
    req.on('error', () => resolve({ status: -1, body: Buffer.concat(chunks) }));
    req.end(body);
  });
}

/** Every file below `dir` holding the secret. */
function leaked(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && readFileSync(p).includes(secret)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

test(`${ROUNDS} each of cp in, cp out (the engine calls the CLI makes), PUT archive, GET archive and export through a racing symlink exchange never touch the host`, async () => {
  const payload = join(work, 'payload.txt');
  writeFileSync(payload, 'payload\n');
  const tarBody = execFileSync('tar', ['-C', work, '-cf', '-', 'payload.txt']);
  const which = (i: number) => (i % 2 ? 'a' : 'b');
  const ok = { cpIn: 0, cpOut: 0, put: 0, get: 0, export: 0 };
  const refusals = new Map<string, number>();
  const refused = (e: unknown) => {
    const m = (e instanceof Error ? e.message : String(e)).replace(/[0-9a-f]{12,}/g, 'ID');
    refusals.set(m, (refusals.get(m) ?? 0) + 1);
  };
  const outRoot = join(work, 'out');

  const cpIn = async () => {
    for (let i = 0; i < ROUNDS; i++) {
      await engine.containers.copy('race', { direction: 'in', path: `/race/${which(i)}/dir/`, hostPath: payload }).then(
        () => ok.cpIn++,
        refused,
      );
    }
  };
  const cpOut = async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const dest = join(outRoot, `o${i}`);
      mkdirSync(dest, { recursive: true });
      const path = i % 4 < 2 ? `/race/${which(i)}/dir/f` : `/race/${which(i)}/dir`;
      await engine.containers.copy('race', { direction: 'out', path, hostPath: dest }).then(
        () => ok.cpOut++,
        refused,
      );
      assert.deepEqual(leaked(dest), [], `cp out of ${path} read the host canary`);
      rmSync(dest, { recursive: true, force: true });
    }
  };
  const put = async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const r = await http('PUT', `/containers/race/archive?path=/race/${which(i)}/dir`, tarBody);
      if (r.status === 200) ok.put++;
      else refused(new Error(`PUT ${r.status} ${r.body.toString()}`));
    }
  };
  const get = async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const path = i % 4 < 2 ? `/race/${which(i)}/dir/f` : `/race/${which(i)}/dir`;
      const r = await http('GET', `/containers/race/archive?path=${encodeURIComponent(path)}`);
      assert.ok(!r.body.includes(secret), `GET archive of ${path} read the host canary`);
      if (r.status === 200) ok.get++;
      else refused(new Error(`GET ${r.status} ${r.body.toString()}`));
    }
  };
  const exp = async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const r = await http('GET', '/containers/race/export');
      assert.ok(!r.body.includes(secret), 'export read the host canary');
      if (r.status === 200) ok.export++;
      else refused(new Error(`export ${r.status} ${r.body.toString().slice(0, 200)}`));
    }
  };
  await Promise.all([cpIn(), cpOut(), put(), get(), exp()]);

  assert.deepEqual(readdirSync(canary), ['secret.txt'], 'something was written into the host canary');
  assert.equal(readFileSync(join(canary, 'secret.txt'), 'utf8'), secret);
  process.stderr.write(`# refusals: ${JSON.stringify([...refusals])}\n`);
  // The race must have let copies through, or the test proved nothing.
  for (const [op, n] of Object.entries(ok)) assert.ok(n > 0, `no ${op} succeeded: ${JSON.stringify(ok)}`);
  assert.equal(env.ok(['inspect', '--format', '{{.State.Running}}', 'race']).trim(), 'true', 'the exchange loop stopped');
  process.stderr.write(`# successful operations: ${JSON.stringify(ok)}\n`);
  env.ok(['rm', '-f', 'race']);
});
