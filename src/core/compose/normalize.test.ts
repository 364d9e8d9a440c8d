import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findComposeFiles } from './discovery.js';
import { normalizeProject } from './normalize.js';
import { parsePortShort, parseVolumeShort } from './short-syntax.js';
import { splitShellWords } from './shell-words.js';

const ctx = { name: 'proj', workingDir: '/p', home: '/home/u', lookup: () => undefined, readEnvFile: () => undefined };

test('spec "ports" short syntax into the long form docker compose config prints (published a string, ranges one per port)', () => {
  assert.deepEqual(parsePortShort('3000'), [{ mode: 'ingress', target: 3000, protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort(80), [{ mode: 'ingress', target: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort('8000:8000'), [{ mode: 'ingress', target: 8000, published: '8000', protocol: 'tcp' }]);
  assert.deepEqual(
    parsePortShort('127.0.0.1:5000-5001:6000-6001/udp').map((p) => [p.host_ip, p.published, p.target, p.protocol]),
    [
      ['127.0.0.1', '5000', 6000, 'udp'],
      ['127.0.0.1', '5001', 6001, 'udp'],
    ],
  );
  assert.deepEqual(parsePortShort('8000-8010:80'), [{ mode: 'ingress', target: 80, published: '8000-8010', protocol: 'tcp' }]);
  assert.deepEqual(parsePortShort('[::1]:6001:6001')[0], { mode: 'ingress', host_ip: '::1', target: 6001, published: '6001', protocol: 'tcp' });
  assert.deepEqual(parsePortShort('127.0.0.1::5000')[0], { mode: 'ingress', host_ip: '127.0.0.1', target: 5000, protocol: 'tcp' });
  assert.throws(() => parsePortShort('1-3:1-2'), /invalid ranges/);
  assert.throws(() => parsePortShort('80/icmp'), /invalid proto/);
});

test('spec "volumes" short syntax: bind (path source, create_host_path implied), named, anonymous, modes', () => {
  assert.deepEqual(parseVolumeShort('/var/run:/run:ro,z'), {
    type: 'bind',
    source: '/var/run',
    target: '/run',
    read_only: true,
    bind: { create_host_path: true, selinux: 'z' },
  });
  assert.deepEqual(parseVolumeShort('data:/data:nocopy'), { type: 'volume', source: 'data', target: '/data', volume: { nocopy: true } });
  assert.deepEqual(parseVolumeShort('/cache'), { type: 'volume', target: '/cache', volume: {} });
  assert.throws(() => parseVolumeShort('a:/b:bogus'), /unknown option: bogus/);
});

test('docker compose config\'s canonical model: paths absolute, default network, <project>_<key> names, long forms', () => {
  const p = normalizeProject(
    {
      services: {
        web: {
          image: 'w',
          build: '.',
          volumes: ['./src:/src', '~/cache:/cache', { type: 'bind', source: 'rel', target: '/rel' }],
          depends_on: { db: { condition: 'service_healthy' } },
          healthcheck: { test: 'curl -f http://localhost' },
          command: 'sh -c "echo \'hi there\'"',
          secrets: ['token'],
        },
        db: { image: 'd', networks: ['back'] },
        host: { image: 'h', network_mode: 'host' },
      },
      networks: { back: {}, ext: { external: true }, named: { name: 'custom' } },
      volumes: { data: {}, old: { external: { name: 'legacy' } } },
      secrets: { token: { file: './token.txt' } },
    },
    ctx,
  );
  const web = p.services.web!;
  assert.deepEqual(web.build, { context: '/p', dockerfile: 'Dockerfile' });
  assert.deepEqual(web.volumes!.map((v) => v.source), ['/p/src', '/home/u/cache', '/p/rel']);
  assert.equal(web.volumes![2]!.bind, undefined, 'long syntax does not imply create_host_path');
  assert.deepEqual(web.depends_on, { db: { condition: 'service_healthy', required: true } });
  assert.deepEqual(web.healthcheck!.test, ['CMD-SHELL', 'curl -f http://localhost']);
  assert.deepEqual(web.command, ['sh', '-c', "echo 'hi there'"]);
  assert.deepEqual(web.networks, { default: null });
  assert.deepEqual(web.secrets, [{ source: 'token' }]);
  assert.deepEqual(p.services.db!.networks, { back: null });
  assert.equal(p.services.host!.networks, undefined);
  assert.deepEqual(p.networks, {
    back: { name: 'proj_back' },
    default: { name: 'proj_default' },
    ext: { name: 'ext', external: true },
    named: { name: 'custom' },
  });
  assert.deepEqual(p.volumes, { data: { name: 'proj_data' }, old: { name: 'legacy', external: true } });
  assert.deepEqual(p.secrets, { token: { name: 'proj_token', file: '/p/token.txt' } });
  assert.deepEqual(Object.keys(web), [...Object.keys(web)].sort(), 'service keys sorted, as Go encodes them');
});

test('command strings split as go-shellwords does', () => {
  assert.deepEqual(splitShellWords(`a "b c" 'd $e' f\\ g "h\\"i"`), ['a', 'b c', 'd $e', 'f g', 'h"i']);
  assert.throws(() => splitShellWords('a "b'), /invalid command line string/);
});

test('compose-go file discovery: the first default name, searched upwards, plus the override file beside it', () => {
  const have = new Set(['/a/compose.yaml', '/a/docker-compose.yml', '/a/compose.override.yaml', '/x/docker-compose.yaml']);
  const found = findComposeFiles('/a/b/c', (p) => have.has(p));
  assert.deepEqual(found.files, ['/a/compose.yaml', '/a/compose.override.yaml']);
  assert.match(found.warnings[0]!, /Found multiple config files with supported names: \/a\/compose.yaml, \/a\/docker-compose.yml/);
  assert.deepEqual(findComposeFiles('/x', (p) => have.has(p)).files, ['/x/docker-compose.yaml']);
  assert.throws(() => findComposeFiles('/nowhere', (p) => have.has(p)), /no configuration file provided: not found/);
});
