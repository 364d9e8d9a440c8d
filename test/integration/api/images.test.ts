// Image endpoints through the real docker CLI and raw requests: list, inspect, history, tag,
// rmi, prune, save/load, import; responses checked against the Docker swagger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { assertDockerSchema } from '../../helpers/docker-schema.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { importBusybox, jsonLines, startApiService, type ApiService } from './image-fixtures.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('docker'));
let s: ApiService;
let id: string;

before(async () => {
  if (skip) return;
  s = await startApiService('skiff-api-images-');
  id = importBusybox(s);
});
after(async () => {
  await s?.stop();
});

test('docker images lists the image; GET /images/json items match ImageSummary', { skip }, async () => {
  const out = s.dockerOk(['images']);
  assert.match(out, /^REPOSITORY\s+TAG\s+IMAGE ID/);
  assert.match(out, new RegExp(`busybox\\s+local\\s+${id.slice(7, 19)}`));
  const r = await s.api('GET', '/v1.41/images/json');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  const list = r.json as Record<string, unknown>[];
  assert.equal(list.length, 1);
  for (const item of list) assertDockerSchema('ImageSummary', item);
  assert.deepEqual(list[0]!.RepoTags, ['busybox:local']);
  assert.equal(list[0]!.Id, id);
});

test('docker inspect IMAGE; image inspect keeps Container and ContainerConfig (compose v1) and matches ImageInspect', { skip }, async () => {
  const doc = JSON.parse(s.dockerOk(['inspect', 'busybox:local']))[0];
  assert.equal(doc.Id, id);
  assert.deepEqual(doc.Config.Cmd, ['/bin/sh']);
  assert.equal(typeof doc.Container, 'string');
  assert.equal(typeof doc.ContainerConfig, 'object');
  assert.notEqual(doc.ContainerConfig, null);
  assert.equal(doc.RootFS.Type, 'layers');
  const r = await s.api('GET', '/images/busybox:local/json');
  assert.equal(r.status, 200);
  assertDockerSchema('ImageInspect', r.json);
  // by short id, too
  assert.equal(((await s.api('GET', `/images/${id.slice(7, 19)}/json`)).json as { Id: string }).Id, id);
  const missing = await s.api('GET', '/v1.41/images/nosuch:v9/json');
  assert.equal(missing.status, 404);
  assert.match((missing.json as { message: string }).message, /No such image: nosuch:v9/);
});

test('names with a registry host and port travel unescaped in the path', { skip }, async () => {
  s.dockerOk(['tag', 'busybox:local', '127.0.0.1:5055/team/demo:v1']);
  const r = await s.api('GET', '/v1.41/images/127.0.0.1:5055/team/demo:v1/json');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((r.json as { RepoTags: string[] }).RepoTags.sort(), ['127.0.0.1:5055/team/demo:v1', 'busybox:local']);
  const h = await s.api('GET', '/v1.41/images/127.0.0.1:5055/team/demo:v1/history');
  assert.equal(h.status, 200);
  const del = await s.api('DELETE', '/v1.41/images/127.0.0.1:5055/team/demo:v1');
  assert.equal(del.status, 200);
  assert.deepEqual(del.json, [{ Untagged: '127.0.0.1:5055/team/demo:v1' }]);
});

test('docker history; items match ImageHistoryResponseItem', { skip }, async () => {
  const out = s.dockerOk(['history', 'busybox:local']);
  assert.match(out, new RegExp(id.slice(7, 19)));
  const r = await s.api('GET', '/images/busybox:local/history');
  const items = r.json as Record<string, unknown>[];
  assert.ok(items.length >= 1);
  for (const i of items) assertDockerSchema('ImageHistoryResponseItem', i);
  assert.equal(items[0]!.Id, id);
});

test('docker tag, images --filter, rmi: Untagged, then Deleted with the last name', { skip }, async () => {
  s.dockerOk(['tag', 'busybox:local', 'team/tool:v1']);
  s.dockerOk(['tag', 'busybox:local', 'team/tool']);
  const filtered = s.dockerOk(['images', '--filter', 'reference=team/*', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.deepEqual(filtered.trim().split('\n').sort(), ['team/tool:latest', 'team/tool:v1']);
  assert.equal(s.dockerOk(['rmi', 'team/tool:v1']).trim(), 'Untagged: team/tool:v1');
  assert.equal(s.dockerOk(['rmi', 'team/tool']).trim(), 'Untagged: team/tool:latest');
  // the API's tag endpoint: 201, repo and tag apart
  const t = await s.api('POST', `/v1.41/images/${id}/tag?repo=other/name&tag=x1`);
  assert.equal(t.status, 201);
  assert.match(s.dockerOk(['images', 'other/name']), /other\/name\s+x1/);
  const bad = await s.api('POST', '/v1.41/images/busybox:local/tag?repo=Upper&tag=x');
  assert.equal(bad.status, 400);
  const untag = await s.api('DELETE', '/v1.41/images/other/name:x1');
  assert.deepEqual(untag.json, [{ Untagged: 'other/name:x1' }]);
  const r = s.docker(['rmi', 'nosuch:v1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No such image: nosuch:v1/);
});

test('rmi of an image a container uses is a 409; force untags it and keeps the image', { skip }, async () => {
  const tar = join(s.env.dir, 'busybox.tar');
  const used = s.skiff(['import', '-c', 'CMD ["/bin/sh"]', tar, 'inuse:v1']).trim();
  s.skiff(['create', '--name', 'user1', '--network', 'none', 'inuse:v1']);
  const r = await s.api('DELETE', '/v1.41/images/inuse:v1');
  assert.equal(r.status, 409, r.text);
  assert.match((r.json as { message: string }).message, /container .* is using it/);
  const cli = s.docker(['rmi', 'inuse:v1']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /Error response from daemon: .*is using it/);
  const forced = await s.api('DELETE', '/v1.41/images/inuse:v1?force=1');
  assert.equal(forced.status, 200);
  assert.deepEqual(forced.json, [{ Untagged: 'inuse:v1' }]);
  assert.equal((await s.api('GET', `/v1.41/images/${used}/json`)).status, 200);
  s.skiff(['rm', 'user1']);
  assert.equal((await s.api('DELETE', `/v1.41/images/${used}`)).status, 200);
});

test('docker save / rmi / load round-trips the image; GET /images/get?names= is a tar; a load of garbage is a 200 carrying the error', { skip }, async () => {
  s.dockerOk(['tag', 'busybox:local', 'saved:v1']);
  const archive = join(s.env.dir, 'saved.tar');
  s.dockerOk(['save', '-o', archive, 'saved:v1']);
  assert.ok(statSync(archive).size > 500_000);
  s.dockerOk(['rmi', 'saved:v1']);
  const out = s.dockerOk(['load', '-i', archive]);
  assert.match(out, /Loaded image: saved:v1/);
  assert.match(s.dockerOk(['images', 'saved']), /saved\s+v1/);
  const r = await s.api('GET', '/v1.41/images/get?names=saved:v1&names=busybox:local');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/x-tar');
  assert.equal(r.body.subarray(257, 262).toString(), 'ustar');
  const missing = await s.api('GET', '/v1.41/images/nosuch/get');
  assert.equal(missing.status, 404);
  const badLoad = await s.api('POST', '/v1.41/images/load', { body: Buffer.from('not a tar at all'), headers: { 'Content-Type': 'application/x-tar' } });
  // As dockerd: 200, the refusal an error line in the stream.
  assert.equal(badLoad.status, 200, badLoad.text);
  assert.match(badLoad.text, /"errorDetail":\{"message":"reading image archive: /);
});

test('docker import (fromSrc=-) with a change and a message', { skip }, async () => {
  const tar = makeBusyboxTar(join(s.env.dir, 'imp'), join(s.env.dir, 'imp.tar'));
  const out = s.dockerOk(['import', '-c', 'ENV FOO=bar', '-m', 'imported here', tar, 'imported:v1']);
  assert.match(out.trim(), /^sha256:[a-f0-9]{64}$/);
  const doc = JSON.parse(s.dockerOk(['inspect', 'imported:v1']))[0];
  assert.ok(doc.Config.Env.includes('FOO=bar'));
  const r = await s.api('POST', '/v1.41/images/create?fromSrc=http%3A%2F%2Fexample.invalid%2Fx.tar');
  assert.equal(r.status, 501);
});

test('docker image prune removes dangling images; prune -a the unused ones', { skip }, async () => {
  // A name moved to another image leaves the first one dangling.
  const tar = makeBusyboxTar(join(s.env.dir, 'dang'), join(s.env.dir, 'dang.tar'));
  s.skiff(['import', '-c', 'CMD ["/bin/true"]', tar, 'dangle:v1']);
  s.skiff(['import', '-c', 'CMD ["/bin/false"]', tar, 'dangle:v1']);
  const dangling = s.dockerOk(['images', '-q', '--filter', 'dangling=true']).trim();
  assert.notEqual(dangling, '');
  const out = s.dockerOk(['image', 'prune', '-f']);
  assert.match(out, /deleted: sha256:/);
  assert.equal(s.dockerOk(['images', '-q', '--filter', 'dangling=true']).trim(), '');
  const r = await s.api('POST', '/v1.41/images/prune?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ImagesDeleted: null, SpaceReclaimed: 0 });
});

test('docker system df: images and volumes; items match the swagger', { skip }, async () => {
  const out = s.dockerOk(['system', 'df']);
  assert.match(out, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE/);
  assert.match(out, /Images\s+\d+/);
  const r = await s.api('GET', '/v1.41/system/df');
  assert.equal(r.status, 200);
  const df = r.json as { LayersSize: number; Images: unknown[]; Containers: unknown[]; Volumes: unknown[]; BuildCache: unknown[] };
  assert.ok(df.LayersSize > 0);
  for (const i of df.Images) assertDockerSchema('ImageSummary', i);
  for (const c of df.Containers) assertDockerSchema('ContainerSummary', c);
  for (const v of df.Volumes) assertDockerSchema('Volume', v);
  assert.deepEqual(df.BuildCache, []);
});

test('pull errors before the stream are JSON errors with a status; bad X-Registry-Auth is a 400', { skip }, async () => {
  const r = await s.api('POST', '/v1.41/images/create?fromImage=127.0.0.1%3A1%2Fnothing&tag=v1');
  assert.ok(r.status >= 400, r.text);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(typeof (r.json as { message: string }).message, 'string');
  const bad = await s.api('POST', '/v1.41/images/create?fromImage=x&tag=v1', { headers: { 'X-Registry-Auth': '!!!' } });
  assert.equal(bad.status, 400);
  const none = await s.api('POST', '/v1.41/images/create');
  assert.equal(none.status, 400);
  const search = await s.api('GET', '/v1.41/images/search?term=x');
  assert.equal(search.status, 501);
  assert.deepEqual(jsonLines('{"a":1}\n'), [{ a: 1 }]);
});
