// POST /build through the docker CLI's classic builder (DOCKER_BUILDKIT=0) and raw requests:
// the Step/--->/Successfully stream, build args, labels, targets, cache, failures with the
// RUN's status, quiet mode, compressed contexts, build cache in df and its prune.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertDockerSchema } from '../../helpers/docker-schema.js';
import { importBusybox, jsonLines, startApiService, type ApiService } from './image-fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let s: ApiService;

before(async () => {
  if (skip) return;
  s = await startApiService('skiff-api-build-');
  importBusybox(s);
});
after(async () => {
  await s?.stop();
});

function context(name: string, files: Record<string, string>): string {
  const dir = join(s.env.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const DOCKERFILE = `FROM busybox:local
ARG GREETING=hi
COPY msg.txt /msg.txt
RUN echo "$GREETING" > /greeting && cat /greeting
LABEL stage=final
CMD ["cat", "/greeting"]
`;

test('docker build -t with --build-arg: Docker\'s step stream, the image tagged with its config', { skip }, () => {
  const dir = context('ctx1', { Dockerfile: DOCKERFILE, 'msg.txt': 'hello\n' });
  const out = s.dockerOk(['build', '-t', 'demo:built', '--build-arg', 'GREETING=yo', '.'], { cwd: dir });
  assert.match(out, /^Step 1\/6 : FROM busybox:local$/m);
  assert.match(out, /^Step 4\/6 : RUN echo "\$GREETING" > \/greeting && cat \/greeting$/m);
  assert.match(out, /^yo$/m);
  assert.match(out, /^ ---> [a-f0-9]{12}$/m);
  const built = /^Successfully built ([a-f0-9]{12})$/m.exec(out);
  assert.ok(built, out);
  assert.match(out, /^Successfully tagged demo:built$/m);
  const doc = JSON.parse(s.dockerOk(['inspect', 'demo:built']))[0];
  assert.equal(doc.Id.slice(7, 19), built[1]);
  assert.deepEqual(doc.Config.Cmd, ['cat', '/greeting']);
  assert.equal(doc.Config.Labels.stage, 'final');
  assert.equal(typeof doc.ContainerConfig, 'object');
  assert.equal(s.skiff(['run', '--rm', '--network', 'none', 'demo:built']).trim(), 'yo');
  // the same build again comes from the cache
  const again = s.dockerOk(['build', '-t', 'demo:built', '--build-arg', 'GREETING=yo', '.'], { cwd: dir });
  assert.match(again, /Using cache/);
  assert.match(again, new RegExp(`Successfully built ${built[1]}`));
});

test('a failing RUN ends the stream with errorDetail and the docker CLI exits with its status', { skip }, async () => {
  const dir = context('ctx-fail', { Dockerfile: 'FROM busybox:local\nRUN exit 7\n' });
  const r = s.docker(['build', '.'], { cwd: dir });
  assert.equal(r.code, 7, r.stderr);
  assert.match(r.stderr + r.stdout, /exit status 7|non-zero code: 7/);
  const bad = context('ctx-bad', { Dockerfile: 'FROM busybox:local\nBOGUS x\n' });
  const b = s.docker(['build', '.'], { cwd: bad });
  assert.equal(b.code, 1);
  assert.match(b.stderr, /unknown instruction/i);
});

test('docker build -q prints only the id; -f - sends the Dockerfile inside the context', { skip }, () => {
  const dir = context('ctx-q', { Dockerfile: 'FROM busybox:local\nRUN touch /q\n', other: 'x' });
  const id = s.dockerOk(['build', '-q', '.'], { cwd: dir }).trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  const out = s.dockerOk(['build', '-t', 'stdin:df', '-f', '-', '.'], { cwd: dir, input: 'FROM busybox:local\nCOPY other /other\n' });
  assert.match(out, /Successfully tagged stdin:df/);
});

test('raw POST /build: gzip context, labels, target stage, aux ID; bad parameters are 4xx', { skip }, async () => {
  const dir = context('ctx-raw', {
    'Containerfile.multi': 'FROM busybox:local AS base\nRUN echo base > /b\nFROM base AS mid\nRUN echo mid > /m\nFROM busybox:local\nCOPY --from=mid /m /m\n',
  });
  const tgz = join(s.env.dir, 'ctx.tgz');
  execFileSync('tar', ['-czf', tgz, '-C', dir, '.']);
  const q = new URLSearchParams({ dockerfile: 'Containerfile.multi', target: 'mid', labels: JSON.stringify({ team: 'api' }), version: '1' });
  q.append('t', 'multi:mid');
  q.append('t', 'multi:also');
  const r = await s.api('POST', `/v1.41/build?${q}`, { body: readFileSync(tgz), headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'application/json');
  const lines = jsonLines(r.text);
  assert.equal(lines.filter((l) => l.error).length, 0, r.text);
  const aux = lines.find((l) => l.aux) as { aux: { ID: string } };
  assert.match(aux.aux.ID, /^sha256:[a-f0-9]{64}$/);
  const stream = lines.map((l) => l.stream ?? '').join('');
  assert.match(stream, /Successfully tagged multi:mid\nSuccessfully tagged multi:also\n/);
  assert.doesNotMatch(stream, /COPY --from=mid/);
  // steps are numbered over both stages the target needs, as Docker's classic builder does; the
  // labels are a LABEL step at the end of the target stage, as there
  assert.match(stream, /^Step 1\/5 : FROM busybox:local AS base$/m);
  assert.match(stream, /^Step 4\/5 : RUN echo mid > \/m$/m);
  assert.match(stream, /^Step 5\/5 : LABEL team=api$/m);
  const doc = JSON.parse(s.dockerOk(['inspect', 'multi:mid']))[0];
  assert.equal(doc.Id, aux.aux.ID);
  assert.equal(doc.Config.Labels.team, 'api');

  const badArgs = await s.api('POST', '/v1.41/build?buildargs=%7Bnope', { body: readFileSync(tgz) });
  assert.equal(badArgs.status, 400);
  const kit = await s.api('POST', '/v1.41/build?version=2', { body: readFileSync(tgz) });
  assert.equal(kit.status, 501);
  const remote = await s.api('POST', '/v1.41/build?remote=https%3A%2F%2Fexample.invalid%2Fx.git');
  assert.equal(remote.status, 501);
});

test('the build cache shows in system df and POST /build/prune empties it', { skip }, async () => {
  const df = (await s.api('GET', '/v1.41/system/df')).json as { BuildCache: unknown[] };
  assert.ok(df.BuildCache.length > 0);
  for (const b of df.BuildCache) assertDockerSchema('BuildCache', b);
  const r = await s.api('POST', '/v1.41/build/prune');
  assert.equal(r.status, 200, r.text);
  const body = r.json as { CachesDeleted: string[]; SpaceReclaimed: number };
  assert.ok(body.CachesDeleted.length > 0);
  assert.equal(typeof body.SpaceReclaimed, 'number');
  const after = (await s.api('GET', '/v1.41/system/df')).json as { BuildCache: unknown[] };
  assert.ok(after.BuildCache.length < df.BuildCache.length);
  // images built stay
  assert.match(s.dockerOk(['images', 'demo']), /built/);
});
