// `skiff events` for images, volumes and networks (dockerd's actions and actors), read back
// from the log by a process of its own with --since/--until and the type/event/image/volume/
// network filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { IMAGE, containerEnv, type ContainerEnv } from './fixtures.js';

let env: ContainerEnv;

before(() => {
  env = containerEnv('skiff-evt-');
});
after(async () => {
  await env.teardown();
});

/** `Action ID name` (volumes have no name attribute) of the recorded events since `since` matching the filters. */
function events(since: number, ...filters: string[]): string[] {
  const name = filters.some((f) => f.startsWith('volume=') || f === 'type=volume') ? '' : ' {{.Actor.Attributes.name}}';
  const args = ['events', '--since', String(since), '--until', '0s', '--format', `{{.Action}} {{.Actor.ID}}${name}`];
  for (const f of filters) args.push('--filter', f);
  return env.ok(args).split('\n').filter(Boolean).map((l) => l.trim());
}

test('volume create and rm are create and destroy events; a volume made by create is one too', () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  env.ok(['volume', 'create', 'evvol']);
  env.ok(['volume', 'rm', 'evvol']);
  env.ok(['create', '--name', 'evc', '--network', 'none', '-v', 'autovol:/data', IMAGE, 'true']);
  env.ok(['rm', 'evc']);
  env.ok(['volume', 'rm', 'autovol']);
  assert.deepEqual(events(since, 'type=volume'), ['create evvol', 'destroy evvol', 'create autovol', 'destroy autovol']);
  assert.deepEqual(events(since, 'volume=evvol'), ['create evvol', 'destroy evvol']);
  assert.deepEqual(events(since, 'type=volume', 'event=destroy'), ['destroy evvol', 'destroy autovol']);
  const json = JSON.parse(env.ok(['events', '--since', String(since), '--until', '0s', '--filter', 'volume=evvol', '--filter', 'event=create', '--format', 'json']));
  assert.deepEqual([json.Type, json.Action, json.Actor], ['volume', 'create', { ID: 'evvol', Attributes: { driver: 'local' } }]);
});

test('network create and rm are create and destroy events with name and type', () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  env.ok(['network', 'create', 'evnet']);
  const id = env.ok(['network', 'inspect', '-f', '{{.Id}}', 'evnet']).trim();
  env.ok(['network', 'rm', 'evnet']);
  assert.deepEqual(events(since, 'type=network'), [`create ${id} evnet`, `destroy ${id} evnet`]);
  assert.deepEqual(events(since, 'network=evnet', 'event=destroy'), [`destroy ${id} evnet`]);
});

test('image tag, untag, delete, save, load and import events', () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const id = env.ok(['image', 'inspect', '-f', '{{.Id}}', IMAGE]).trim();
  env.ok(['tag', IMAGE, 'evimg:two']);
  env.ok(['rmi', 'evimg:two']);
  const tar = join(env.dir, 'ev-save.tar');
  env.ok(['save', '-o', tar, IMAGE]);
  env.ok(['load', '-i', tar]);
  const imported = env.ok(['import', env.tar, 'evimp:1']).trim();
  env.ok(['rmi', 'evimp:1']);
  const importedId = imported.startsWith('sha256:') ? imported : `sha256:${imported}`;
  assert.deepEqual(events(since, 'type=image'), [
    `tag ${id} evimg:two`,
    `untag ${id} ${id}`,
    `save ${id} ${id}`,
    `load ${id} ${id}`,
    `import ${importedId} ${importedId}`,
    `untag ${importedId} ${importedId}`,
    `delete ${importedId} ${importedId}`,
  ]);
  // dockerd's image filter: the name with or without its tag, or the ID.
  assert.deepEqual(events(since, 'image=evimg'), [`tag ${id} evimg:two`]);
  assert.deepEqual(events(since, 'image=evimg:two'), [`tag ${id} evimg:two`]);
  assert.deepEqual(events(since, 'event=delete'), [`delete ${importedId} ${importedId}`]);
});
