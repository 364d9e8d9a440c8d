import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertQuadlets, type QuadletSource } from './index.js';
import { UnitFile, splitWords } from '../unit-file.js';
import { containerUnit } from '../container-unit.js';

const invocation = { executable: '/usr/bin/skiff', globalArgs: [], environment: {} };
const src = (name: string, text: string): QuadletSource => ({ name, path: `/etc/containers/systemd/${name}`, text });

function convert(...sources: QuadletSource[]) {
  return convertQuadlets(sources, { invocation, runRoot: '/run/skiff', isUser: false });
}

function execStart(text: string): string[] {
  return splitWords(UnitFile.parse(text).get('Service', 'ExecStart')!);
}

test('a .container becomes a notify service running skiff run, its references resolved', () => {
  const out = convert(
    src('web.container', '[Container]\nImage=app.image\nExec=httpd -f\nVolume=data.volume:/data:ro\nNetwork=net.network\nPublishPort=8080:80\nEnvironment=A=1 "B=two words"\n[Install]\nWantedBy=default.target\n'),
    src('data.volume', '[Volume]\nVolumeName=mydata\n'),
    src('net.network', '[Network]\n'),
    src('app.image', '[Image]\nImage=registry.example/app:1\n'),
  );
  assert.deepEqual(out.errors, []);
  const web = out.units.find((u) => u.name === 'web.service')!.text;
  assert.deepEqual(execStart(web), [
    '/usr/bin/skiff', 'run', '--name', 'systemd-%N', '--replace', '--rm', '--network', 'systemd-net', '--sdnotify=conmon', '-d',
    '-v', 'mydata:/data:ro', '--publish', '8080:80', '--env', 'A=1', '--env', 'B=two words', 'registry.example/app:1', 'httpd', '-f',
  ]);
  const u = UnitFile.parse(web);
  assert.equal(u.get('Service', 'Type'), 'notify');
  assert.equal(u.get('Service', 'NotifyAccess'), 'all');
  assert.deepEqual(u.all('Unit', 'Requires'), ['net-network.service', 'data-volume.service', 'app-image.service']);
  assert.equal(u.get('X-Container', 'Image'), 'app.image');
  assert.deepEqual(out.links, [{ path: 'default.target.wants/web.service', target: '../web.service' }]);
  assert.deepEqual(execStart(out.units.find((u) => u.name === 'data-volume.service')!.text).slice(1), ['volume', 'create', '--ignore', 'mydata']);
});

test('a file with a key skiff cannot honour is reported, the others converted', () => {
  const out = convert(src('a.container', '[Container]\nImage=bb\nSecret=token\n'), src('b.container', '[Container]\nImage=bb\n'), src('c.container', '[Container]\nImage=bb\nBogus=1\n'));
  assert.deepEqual(out.units.map((u) => u.name), ['b.service']);
  assert.deepEqual(out.errors, [
    "a.container: key 'Secret' in group 'Container' is not supported by skiff yet",
    "c.container: unsupported key 'Bogus' in group 'Container'",
  ]);
  assert.match(convert(src('d.container', '[Container]\nNetwork=gone.network\nImage=bb\n')).errors[0]!, /gone.network, which does not exist/);
});

test('.kube, .pod and .build name the verbs Podman names', () => {
  const out = convert(
    src('app.kube', '[Kube]\nYaml=app.yaml\n'),
    src('grp.pod', '[Pod]\n'),
    src('m.container', '[Container]\nImage=img.build\nPod=grp.pod\n'),
    src('img.build', '[Build]\nImageTag=localhost/img\nSetWorkingDirectory=unit\n'),
  );
  assert.deepEqual(out.errors, []);
  const text = (n: string) => out.units.find((u) => u.name === n)!.text;
  assert.deepEqual(execStart(text('app.service')).slice(1, 5), ['kube', 'play', '--replace', '--service-container=true']);
  assert.equal(execStart(text('app.service')).at(-1), '/etc/containers/systemd/app.yaml');
  assert.deepEqual(execStart(text('grp-pod.service')).slice(1), ['pod', 'start', '--pod-id-file=%t/%N.pod-id']);
  assert.deepEqual(execStart(text('img-build.service')).slice(1), ['build', '--tag', 'localhost/img', '/etc/containers/systemd']);
  assert.ok(execStart(text('m.service')).includes('--pod-id-file=%t/grp-pod.pod-id'));
  assert.deepEqual(UnitFile.parse(text('grp-pod.service')).all('Unit', 'Wants').at(-1), 'm.service');
});

test('generate systemd --new replays the create command with the unit\'s own flags', () => {
  const unit = containerUnit({
    invocation, id: 'f'.repeat(64), name: 'web', useName: true, image: 'bb', command: ['sh', '-c', 'echo 100%; sleep 1'],
    createCommand: ['/usr/bin/skiff', 'container', 'create', '-dit', '--rm', '--cidfile', '/x', '--name', 'web', '-e', 'A=$B', 'bb', 'sh', '-c', 'echo 100%; sleep 1'],
    stopTimeout: 5, restartPolicy: 'always', runRoot: '/run/skiff', pidFile: '/run/skiff/x/conmon.pid', version: '0',
  });
  const u = UnitFile.parse(unit.text);
  assert.equal(unit.name, 'container-web.service');
  assert.equal(
    u.get('Service', 'ExecStart'),
    '/usr/bin/skiff run --cidfile=%t/%n.ctr-id --rm --sdnotify=conmon -d --replace -it --name web -e A=$$B bb sh -c "echo 100%%; sleep 1"',
  );
  assert.equal(u.get('Service', 'Type'), 'notify');
  assert.equal(u.get('Service', 'TimeoutStopSec'), '65');
  assert.throws(() => containerUnit({ ...baseInput(), restartPolicy: 'sometimes' }), /not a valid restart policy/);
});

function baseInput() {
  return { invocation, id: 'a'.repeat(64), name: 'w', useName: false, image: 'bb', command: [], stopTimeout: 10, restartPolicy: 'no', runRoot: '/run/skiff', pidFile: '/p', version: '0' };
}

test("a .container's Health* keys become skiff run's --health-* flags", () => {
  const out = convert(src('db.container', '[Container]\nImage=db:1\nHealthCmd=pg_isready -q\nHealthInterval=5s\nHealthRetries=3\nHealthOnFailure=kill\n'));
  assert.deepEqual(out.errors, []);
  const args = execStart(out.units.find((u) => u.name === 'db.service')!.text);
  for (const [flag, value] of [['--health-cmd', 'pg_isready -q'], ['--health-interval', '5s'], ['--health-retries', '3'], ['--health-on-failure', 'kill']]) {
    assert.equal(args[args.indexOf(flag!) + 1], value, `${flag} in ${args.join(' ')}`);
  }
});
