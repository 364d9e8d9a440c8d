import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHostname, generateHosts, generateResolvConf, parseAddHost, parseGroup, parsePasswd, resolveUser } from './etc-files.js';
import { isEngineError } from '../errdefs.js';

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  '# comment',
  'broken line',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
].join('\n');
const group = ['root:x:0:', 'daemon:x:1:', 'wheel:x:10:app,other', 'audio:x:29:app', 'app:x:1000:', 'staff:x:50:'].join('\n');

test('passwd and group parsing skip malformed lines', () => {
  assert.equal(parsePasswd(passwd).length, 4);
  assert.deepEqual(parseGroup(group).find((g) => g.name === 'wheel'), { name: 'wheel', gid: 10, members: ['app', 'other'] });
});

test('resolveUser: names, numbers, groups; the primary group leads the supplementary ones (dockerd 20.10.24)', () => {
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [0], home: '/root', name: 'root' });
  assert.deepEqual(resolveUser('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [1000, 10, 29], home: '/home/app', name: 'app' });
  assert.deepEqual(resolveUser('1000', passwd, group).additionalGids, [1000, 10, 29]);
  // An explicit group replaces the supplementary ones, as runc does.
  assert.deepEqual(resolveUser('app:staff', passwd, group), { uid: 1000, gid: 50, additionalGids: [50], home: '/home/app', name: 'app' });
  assert.deepEqual(resolveUser('app:7', passwd, group).gid, 7);
  // Numeric ids need no passwd entry; the gid is then 0.
  assert.deepEqual(resolveUser('4242', passwd, group), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  assert.deepEqual(resolveUser('4242:4343'), { uid: 4242, gid: 4343, additionalGids: [4343], home: '/' });
  assert.deepEqual(resolveUser('daemon', passwd, group, ['staff', '99', '1']).additionalGids, [1, 50, 99]);
});

test('resolveUser: unknown names fail with the runc message', () => {
  assert.throws(
    () => resolveUser('ghost', passwd, group),
    (e) => isEngineError(e, 'InvalidArgument') && e.message === 'unable to find user ghost: no matching entries in passwd file',
  );
  assert.throws(() => resolveUser('app', undefined, undefined), /unable to find user app/);
  assert.throws(() => resolveUser('app:nogroup', passwd, group), /unable to find group nogroup: no matching entries in group file/);
  assert.throws(() => resolveUser('99999999999', passwd, group), /out of range/);
});

test('/etc/hosts', () => {
  const h = generateHosts({ hostname: 'abc123', extraHosts: [parseAddHost('db:10.0.0.5'), parseAddHost('v6:[::2]')] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n/);
  assert.match(h, /\n10\.0\.0\.5\tdb\n::2\tv6\n127\.0\.1\.1\tabc123\n$/);
  assert.match(generateHosts({ hostname: 'x', ip: '10.89.0.2', aliases: ['web'], gateway: '10.89.0.1' }), /10\.89\.0\.1\thost\.containers\.internal\n10\.89\.0\.2\tx web\n$/);
  assert.match(generateHosts({ hostname: 'x', ip: '10.89.0.2', ip6: 'fd00::2', aliases: ['web'] }), /10\.89\.0\.2\tx web\nfd00::2\tx web\n$/);
  assert.throws(() => parseAddHost('nocolon'), /invalid add-host/);
  assert.equal(generateHostname('abc'), 'abc\n');
});

test('/etc/resolv.conf', () => {
  const host = '# generated\nnameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch corp.example\noptions edns0 trust-ad\n';
  assert.equal(
    generateResolvConf({ host, privateNetns: true }),
    'search corp.example\nnameserver 10.1.1.1\noptions edns0 trust-ad\n',
  );
  // Only loopback resolvers: Docker's public fallback.
  assert.equal(generateResolvConf({ host: 'nameserver 127.0.0.53\n', privateNetns: true }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  // On the host network loopback resolvers are reachable and kept.
  assert.match(generateResolvConf({ host, privateNetns: false }), /nameserver 127\.0\.0\.53\n/);
  assert.equal(
    generateResolvConf({ host, privateNetns: true, dns: ['1.1.1.1'], dnsSearch: ['.'], dnsOptions: ['ndots:2'] }),
    'nameserver 1.1.1.1\noptions ndots:2\n',
  );
});
