// The CLI's flags and the API's create body, saying the same thing, become the same engine
// request: both fronts only read their syntax, and src/engine/containers/create-input.ts decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequest } from '../../src/cli/commands/container/create-flags.js';
import { createRequestFromBody } from '../../src/api/shapes/container-create.js';
import { normalizeCreate, DEFAULT_INIT } from '../../src/engine/containers/create-input.js';

const cli = (flags: Record<string, unknown>) => normalizeCreate(createRequest('img', ['sh'], flags as never));
const api = (hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  normalizeCreate(createRequestFromBody({ Image: 'img', Cmd: ['sh'], HostConfig: hostConfig, ...extra }, undefined));

test('-v and Binds: the same volumes and binds, missing bind sources made by both', () => {
  const a = cli({ volume: ['data:/data:ro', '/srv/x:/x', '/anon'] });
  const b = api({ Binds: ['data:/data:ro', '/srv/x:/x'] }, { Volumes: { '/anon': {} } });
  assert.deepEqual(a.opts.mounts, b.opts.mounts);
  assert.deepEqual(a.opts.mounts, [
    { type: 'volume', name: 'data', destination: '/data', options: ['ro'] },
    { type: 'bind', source: '/srv/x', destination: '/x', options: [], createSource: true },
    { type: 'volume', destination: '/anon', options: [] },
  ]);
});

test('--mount and HostConfig.Mounts: the same mounts; a bind source is never made', () => {
  const a = cli({ mount: ['type=bind,src=/srv/y,dst=/y,readonly,bind-propagation=rslave', 'type=volume,src=v,target=/v,volume-nocopy', 'type=tmpfs,target=/t,tmpfs-mode=1777'] });
  const b = api({
    Mounts: [
      { Type: 'bind', Source: '/srv/y', Target: '/y', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { NoCopy: true } },
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { Mode: 0o1777 } },
    ],
  });
  assert.deepEqual(a.opts.mounts, b.opts.mounts);
  assert.equal(a.opts.mounts!.some((m) => m.type === 'bind' && m.createSource), false);
});

test('init, user namespace and restart policy: one decision for both fronts', () => {
  const a = cli({ init: true, userns: 'auto', restart: 'on-failure:3' });
  const b = api({ Init: true, UsernsMode: 'auto', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
  assert.equal(a.opts.init, DEFAULT_INIT);
  assert.equal(b.opts.init, DEFAULT_INIT);
  assert.deepEqual(a.opts.userns, b.opts.userns);
  assert.deepEqual(a.restartPolicy, { name: 'on-failure', maximumRetryCount: 3 });
  assert.deepEqual(a.restartPolicy, b.restartPolicy);
});

test('log settings and --rm: the same fields', () => {
  const a = cli({ logDriver: 'k8s-file', logOpt: ['max-size=10m'], rm: true });
  const b = api({ LogConfig: { Type: 'k8s-file', Config: { 'max-size': '10m' } }, AutoRemove: true });
  assert.deepEqual(a.logConfig, b.logConfig);
  assert.equal(a.autoRemove, b.autoRemove);
});

test('a relative bind source is taken from the CLI working directory; through the API it is refused', () => {
  const a = cli({ volume: ['./rel:/r'] });
  assert.deepEqual(a.opts.mounts, [{ type: 'bind', source: `${process.cwd()}/rel`, destination: '/r', options: [], createSource: true }]);
  assert.throws(() => api({ Binds: ['./rel:/r'] }), /bind source must be an absolute path/);
});

test('--pid/--ipc/--uts/--cgroupns and their HostConfig modes, --link and Links: the same request from both fronts', () => {
  const a = cli({ pid: 'container:db', ipc: 'shareable', uts: 'host', cgroupns: 'private', link: ['db:alias', 'cache'] });
  const b = api({ PidMode: 'container:db', IpcMode: 'shareable', UTSMode: 'host', CgroupnsMode: 'private', Links: ['db:alias', '/cache:/me/cache'] });
  for (const r of [a, b]) {
    assert.deepEqual([r.opts.pid, r.opts.ipc, r.opts.uts, r.opts.cgroupns], [{ container: 'db' }, 'shareable', 'host', 'private']);
    assert.deepEqual(r.links, [{ name: 'db', alias: 'alias' }, { name: 'cache', alias: 'cache' }]);
  }
  assert.throws(() => cli({ uts: 'container:db' }), /invalid UTS mode: container:db/);
  assert.throws(() => api({ IpcMode: 'bogus' }), /Invalid IPC mode: bogus/);
  assert.throws(() => cli({ link: ['a:b:c'] }), /bad format for links: a:b:c/);
});
