// RUN --mount (cache, bind, tmpfs, secret) and RUN --network: what the command sees, and that
// none of it ends up in the image's layers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBuildEnv } from './fixtures.js';

describe('build: RUN mounts and network', () => {
  const env = useBuildEnv();

  test('--mount=type=cache persists between builds, stays out of the image, goes with builder prune', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nRUN --mount=type=cache,target=/cache,id=counter echo run >> /cache/log && wc -l < /cache/log > /count\n' });
    env.build(dir, ['-t', 'cache1']);
    assert.equal(env.runIn('cache1', ['cat', '/count']).trim(), '1');
    env.build(dir, ['-t', 'cache2', '--no-cache']);
    assert.equal(env.runIn('cache2', ['cat', '/count']).trim(), '2');
    assert.equal(env.runIn('cache2', ['sh', '-c', 'ls -A /cache 2>/dev/null | wc -l']).trim(), '0');
    env.ok(['builder', 'prune', '-f']);
    env.build(dir, ['-t', 'cache3']);
    assert.equal(env.runIn('cache3', ['cat', '/count']).trim(), '1');
  });

  test('--mount=type=bind: context read-only by default, rw writes thrown away, from a stage', () => {
    const dir = env.context({
      Dockerfile: [
        'FROM bb AS tools',
        'RUN echo tool > /tool',
        'FROM bb',
        'RUN --mount=type=bind,source=data,target=/src cat /src/file > /out',
        'RUN --mount=type=bind,target=/ctx sh -c "touch /ctx/new 2>/dev/null && echo writable || echo read-only" > /ro',
        'RUN --mount=type=bind,target=/ctx,rw touch /ctx/new && ls /ctx > /rw',
        'RUN --mount=type=bind,from=tools,source=/tool,target=/t cat /t > /from-stage',
        '',
      ].join('\n'),
      'data/file': 'bound\n',
    });
    env.build(dir, ['-t', 'bind1']);
    const cat = (f: string) => env.runIn('bind1', ['cat', f]);
    assert.equal(cat('/out'), 'bound\n');
    assert.equal(cat('/ro'), 'read-only\n');
    assert.match(cat('/rw'), /new/);
    assert.equal(cat('/from-stage'), 'tool\n');
    assert.equal(env.runIn('bind1', ['sh', '-c', 'ls -d /src /ctx /t 2>/dev/null | wc -l']).trim(), '0', 'mount points are not in the image');
    assert.ok(!existsSync(join(dir, 'new')), 'the context is untouched');
  });

  test('--mount=type=tmpfs is a tmpfs and leaves nothing behind', () => {
    const dir = env.context({ Dockerfile: "FROM bb\nRUN --mount=type=tmpfs,target=/scratch,size=1m grep ' /scratch ' /proc/mounts | cut -d' ' -f3 > /fstype && echo x > /scratch/f\n" });
    env.build(dir, ['-t', 'tmpfs1']);
    assert.equal(env.runIn('tmpfs1', ['cat', '/fstype']), 'tmpfs\n');
    assert.equal(env.runIn('tmpfs1', ['sh', '-c', 'ls -A /scratch 2>/dev/null | wc -l']).trim(), '0');
  });

  test('--mount=type=secret from --secret: a file or an env var while the RUN lasts, never in a layer', () => {
    const secretFile = join(env.dir, 'token.txt');
    const value = 'S3CRET-VALUE-xyzzy';
    writeFileSync(secretFile, value);
    const short = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 16);
    const dir = env.context({
      Dockerfile: [
        'FROM bb',
        'RUN --mount=type=secret,id=token sha256sum /run/secrets/token | cut -c1-16 > /hash && stat -c %a /run/secrets/token > /secret-mode',
        'RUN --mount=type=secret,id=token,env=TOKEN printf %s "$TOKEN" | sha256sum | cut -c1-16 > /env-hash',
        'RUN --mount=type=secret,id=token,target=/etc/app/token,mode=0440 cat /etc/app/token | wc -c > /len',
        '',
      ].join('\n'),
    });
    env.build(dir, ['-t', 'secret1', '--secret', `id=token,src=${secretFile}`]);
    assert.equal(env.runIn('secret1', ['cat', '/hash', '/env-hash', '/secret-mode']), `${short(value)}\n${short(value)}\n400\n`);
    assert.equal(env.runIn('secret1', ['cat', '/len']).trim(), String(value.length));
    assert.equal(env.runIn('secret1', ['sh', '-c', 'ls -A /run/secrets /etc/app 2>/dev/null | wc -l']).trim(), '0');
    const saved = env.run(['save', 'secret1']);
    assert.equal(saved.code, 0);
    assert.ok(!saved.stdout.includes(value), 'the secret is in no layer');

    const req = env.context({ Dockerfile: 'FROM bb\nRUN --mount=type=secret,id=missing,required cat /run/secrets/missing\n' });
    const r = env.tryBuild(req);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /secret missing/);
  });

  test('RUN --network=none|host and the build default', () => {
    const dir = env.context({
      Dockerfile: 'FROM bb\nRUN ls /sys/class/net > /default\nRUN --network=none ls /sys/class/net > /none\nRUN --network=host ls /sys/class/net | wc -l > /host\n',
    });
    env.build(dir, ['-t', 'net1']);
    assert.equal(env.runIn('net1', ['cat', '/default', '/none']), 'lo\nlo\n');
    assert.ok(Number(env.runIn('net1', ['cat', '/host'])) > 1, 'the host namespace has more than lo');
  });
});
