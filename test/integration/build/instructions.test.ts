// One Dockerfile per instruction, each checked on the built image's config and on its files
// (by running the image), as Docker's builder leaves them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtId, useBuildEnv } from './fixtures.js';

describe('build: one Dockerfile per instruction', () => {
  const env = useBuildEnv();

  test('FROM scratch and COPY into it; FROM an image built before, by name', () => {
    const dir = env.context({ Dockerfile: 'FROM scratch\nCOPY hello /hello\n', hello: 'from scratch\n' });
    env.build(dir, ['-t', 'scratchy']);
    const img = env.inspect('scratchy');
    assert.equal(img.RootFS.Layers.length, 1);
    assert.equal(img.Config.Cmd, undefined);
    const dir2 = env.context({ Dockerfile: 'FROM bb\nCOPY --from=scratchy /hello /hello\n' });
    env.build(dir2, ['-t', 'fromscratch']);
    assert.equal(env.runIn('fromscratch', ['cat', '/hello']), 'from scratch\n');
  });

  test('RUN: shell form, exec form, output streamed, files in the layer', () => {
    const dir = env.context({
      Dockerfile: 'FROM bb\nRUN echo shell-form > /a && echo to-the-log\nRUN ["/bin/sh", "-c", "echo exec-form > /b"]\n',
    });
    const out = env.build(dir, ['-t', 'run1']);
    assert.match(out, /STEP 2\/3: RUN echo shell-form > \/a && echo to-the-log\nto-the-log\n--> [0-9a-f]{11}\n/);
    assert.equal(env.runIn('run1', ['cat', '/a', '/b']), 'shell-form\nexec-form\n');
    const img = env.inspect('run1');
    assert.equal(img.RootFS.Layers.length, 3);
    // The image's own CMD is untouched by RUN.
    assert.deepEqual(img.Config.Cmd, ['/bin/sh']);
  });

  test('RUN that fails: exit status of the command, the step and Docker\'s message, nothing tagged', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nRUN echo before\nRUN exit 3\n' });
    const r = env.tryBuild(dir, ['-t', 'failed']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Error: building at STEP "RUN exit 3": The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.notEqual(env.run(['image', 'inspect', 'failed']).code, 0);
    assert.equal(env.ok(['ps', '-aq']), '', 'working containers are gone');
  });

  test('CMD and ENTRYPOINT: exec and shell forms; ENTRYPOINT drops the inherited CMD', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nCMD echo from cmd\n' });
    env.build(dir, ['-t', 'cmd1']);
    assert.deepEqual(env.inspect('cmd1').Config.Cmd, ['/bin/sh', '-c', 'echo from cmd']);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'cmd1']), 'from cmd\n');

    const dir2 = env.context({ Dockerfile: 'FROM bb\nENTRYPOINT ["echo", "ep"]\n' });
    env.build(dir2, ['-t', 'ep1']);
    const c = env.inspect('ep1').Config;
    assert.deepEqual(c.Entrypoint, ['echo', 'ep']);
    assert.ok(c.Cmd === null || c.Cmd === undefined, `inherited CMD dropped: ${JSON.stringify(c.Cmd)}`);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'ep1', 'x']), 'ep x\n');

    const dir3 = env.context({ Dockerfile: 'FROM bb\nCMD ["default"]\nENTRYPOINT ["echo"]\n' });
    env.build(dir3, ['-t', 'ep2']);
    assert.deepEqual(env.inspect('ep2').Config.Cmd, ['default'], 'a CMD of this stage stays');
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'ep2']), 'default\n');
  });

  test('ENV: key=value pairs, quotes, the legacy form; visible to later instructions and at run', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nENV A=1 B="two words"\nENV C legacy form value\nENV D=${A}-$B\nRUN echo "$D" > /d\n' });
    env.build(dir, ['-t', 'env1']);
    const e = env.inspect('env1').Config.Env ?? [];
    for (const want of ['A=1', 'B=two words', 'C=legacy form value', 'D=1-two words']) assert.ok(e.includes(want), `${want} in ${e}`);
    assert.equal(env.runIn('env1', ['cat', '/d']), '1-two words\n');
    assert.equal(env.runIn('env1', ['sh', '-c', 'echo $C']), 'legacy form value\n');
  });

  test('ARG: default, --build-arg, seen by RUN, not kept in the image', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nARG GREETING=hello\nARG OTHER\nRUN echo "$GREETING/${OTHER:-unset}" > /g\n' });
    env.build(dir, ['-t', 'arg1']);
    assert.equal(env.runIn('arg1', ['cat', '/g']), 'hello/unset\n');
    assert.ok(!(env.inspect('arg1').Config.Env ?? []).some((e) => e.startsWith('GREETING=')));
    env.build(dir, ['-t', 'arg2', '--build-arg', 'GREETING=bonjour', '--build-arg', 'OTHER=x']);
    assert.equal(env.runIn('arg2', ['cat', '/g']), 'bonjour/x\n');
    const r = env.tryBuild(dir, ['-t', 'arg3', '--build-arg', 'UNUSED=1']);
    assert.match(r.stderr, /one or more build-args \[UNUSED\] were not consumed/);
  });

  test('LABEL and --label', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nLABEL a=1 "b c"="d e"\nLABEL multi.word="x y"\n' });
    env.build(dir, ['-t', 'label1', '--label', 'from.flag=yes', '--label', 'a=overridden']);
    assert.deepEqual(env.inspect('label1').Config.Labels, { a: 'overridden', 'b c': 'd e', 'multi.word': 'x y', 'from.flag': 'yes' });
  });

  test('EXPOSE, VOLUME, USER, STOPSIGNAL, MAINTAINER', () => {
    const dir = env.context({
      Dockerfile: [
        'FROM bb',
        'MAINTAINER Jane Doe <jane@example.com>',
        'EXPOSE 80 443/udp 8000-8001',
        'VOLUME ["/data", "/logs"]',
        'VOLUME /cache',
        'STOPSIGNAL SIGUSR1',
        'USER nobody',
        'RUN id -u > /tmp/uid',
        '',
      ].join('\n'),
    });
    env.build(dir, ['-t', 'misc1']);
    const img = env.inspect('misc1');
    assert.deepEqual(Object.keys(img.Config.ExposedPorts ?? {}).sort(), ['443/udp', '80/tcp', '8000/tcp', '8001/tcp']);
    assert.deepEqual(Object.keys(img.Config.Volumes ?? {}).sort(), ['/cache', '/data', '/logs']);
    assert.equal(img.Config.User, 'nobody');
    assert.equal(img.Config.StopSignal, 'SIGUSR1');
    assert.equal(img.Author, 'Jane Doe <jane@example.com>');
    assert.equal(env.runIn('misc1', ['cat', '/tmp/uid']), '65534\n');
    assert.equal(env.runIn('misc1', ['id', '-u']), '65534\n');
  });

  test('WORKDIR: relative to the previous one, created, used by RUN and COPY', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nWORKDIR /a\nWORKDIR b\nRUN pwd > here\nCOPY f .\nWORKDIR /empty/dir\n', f: 'F\n' });
    env.build(dir, ['-t', 'wd1']);
    assert.equal(env.inspect('wd1').Config.WorkingDir, '/empty/dir');
    assert.equal(env.runIn('wd1', ['cat', '/a/b/here', '/a/b/f']), '/a/b\nF\n');
    assert.equal(env.runIn('wd1', ['pwd']), '/empty/dir\n');
    assert.equal(env.runIn('wd1', ['sh', '-c', 'test -d /empty/dir && echo exists']), 'exists\n');
  });

  test('COPY: files, directories (their contents), globs, dest dirs, --chown, --chmod', () => {
    const dir = env.context({
      Dockerfile: [
        'FROM bb',
        'COPY one.txt /single',
        'COPY one.txt two.txt /multi/',
        'COPY *.md /docs/',
        'COPY tree /copied-tree',
        'COPY tree/ /into/existing/',
        'COPY --chown=1:2 --chmod=0640 one.txt /owned',
        'COPY --chown=nobody one.txt /by-name',
        'COPY link /followed',
        '',
      ].join('\n'),
      'one.txt': '1\n',
      'two.txt': '2\n',
      'a.md': 'A\n',
      'b.md': 'B\n',
      'tree/x': 'x\n',
      'tree/sub/y': { content: 'y\n', mode: 0o750 },
      link: { symlink: 'one.txt' },
    });
    env.build(dir, ['-t', 'copy1']);
    const sh = (c: string) => env.runIn('copy1', ['sh', '-c', c]);
    assert.equal(sh('cat /single /multi/one.txt /multi/two.txt'), '1\n1\n2\n');
    assert.equal(sh('ls /docs'), 'a.md\nb.md\n');
    assert.equal(sh('ls /copied-tree; cat /copied-tree/sub/y'), 'sub\nx\ny\n');
    assert.equal(sh('ls /into/existing'), 'sub\nx\n');
    assert.equal(sh('stat -c "%u:%g %a" /owned /by-name /copied-tree/sub/y /single'), '1:2 640\n65534:65534 644\n0:0 750\n0:0 644\n');
    assert.equal(sh('test -L /followed || cat /followed'), '1\n');

    const ex = env.context({ Dockerfile: 'FROM bb\nCOPY --exclude=*.tmp --exclude=skip/ . /ctx/\n', 'keep.txt': '', 'x.tmp': '', 'skip/a': '', 'sub/y.tmp': '' });
    env.build(ex, ['-t', 'copy-exclude']);
    assert.equal(env.runIn('copy-exclude', ['sh', '-c', 'cd /ctx && find . -type f | sort']), './Dockerfile\n./keep.txt\n./sub/y.tmp\n');

    const bad = env.context({ Dockerfile: 'FROM bb\nCOPY a b /notadir\n', a: '', b: '' });
    const r = env.tryBuild(bad, ['-t', 'copy-bad']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /more than one source file, the destination must be a directory and end with a \//);
    const missing = env.context({ Dockerfile: 'FROM bb\nCOPY nothere /x\n' });
    assert.match(env.tryBuild(missing).stderr, /nothere/);
  });

  test('SHELL changes the shell of RUN, CMD and ENTRYPOINT in shell form', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nSHELL ["/bin/sh", "-ec"]\nRUN echo $0 > /shell\nCMD echo hi\n' });
    env.build(dir, ['-t', 'shell1']);
    const img = env.inspect('shell1');
    assert.deepEqual(img.Config.Shell, ['/bin/sh', '-ec']);
    assert.deepEqual(img.Config.Cmd, ['/bin/sh', '-ec', 'echo hi']);
    assert.equal(env.runIn('shell1', ['cat', '/shell']), '/bin/sh\n');
  });

  test('HEALTHCHECK: CMD with options, then NONE', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nHEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=4 CMD cat /etc/passwd\n' });
    env.build(dir, ['-t', 'hc1']);
    assert.deepEqual(env.inspect('hc1').Config.Healthcheck, {
      Test: ['CMD-SHELL', 'cat /etc/passwd'],
      Interval: 5e9,
      Timeout: 2e9,
      StartPeriod: 1e9,
      Retries: 4,
    });
    const dir2 = env.context({ Dockerfile: 'FROM hc1\nHEALTHCHECK NONE\n' });
    env.build(dir2, ['-t', 'hc2']);
    assert.deepEqual(env.inspect('hc2').Config.Healthcheck, { Test: ['NONE'] });
  });

  test('ONBUILD: stored in the config, run when a later build starts FROM the image, not passed on', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nONBUILD COPY trigger.txt /from-trigger\nONBUILD RUN echo ran > /ran\n' });
    env.build(dir, ['-t', 'onbuild-base']);
    assert.deepEqual(env.inspect('onbuild-base').Config.OnBuild, ['COPY trigger.txt /from-trigger', 'RUN echo ran > /ran']);
    assert.equal(env.runIn('onbuild-base', ['sh', '-c', 'ls /from-trigger /ran 2>&1 | wc -l']), '2\n');
    const child = env.context({ Dockerfile: 'FROM onbuild-base\nRUN echo child > /child\n', 'trigger.txt': 'T\n' });
    env.build(child, ['-t', 'onbuild-child']);
    assert.equal(env.runIn('onbuild-child', ['cat', '/from-trigger', '/ran', '/child']), 'T\nran\nchild\n');
    const oc = env.inspect('onbuild-child').Config.OnBuild;
    assert.ok(oc === undefined || oc === null || oc.length === 0, `triggers not inherited: ${JSON.stringify(oc)}`);
  });

  test('history: one entry per instruction, empty_layer for config-only ones; -q prints only the id; --iidfile', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nENV X=1\nRUN true\nLABEL l=1\n' });
    const iid = `${env.dir}/iid`;
    const out = env.build(dir, ['-q', '-t', 'hist1', '--iidfile', iid]);
    assert.match(out, /^[0-9a-f]{64}\n$/);
    const id = builtId(out);
    assert.equal(env.inspect('hist1').Id, `sha256:${id}`);
    const mine = env.ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'hist1']).split('\n').slice(0, 3);
    assert.match(mine[0]!, /LABEL l=/);
    assert.match(mine[1]!, /true$/);
    assert.match(mine[2]!, /ENV X=1/);
    assert.equal(readFileSync(iid, 'utf8'), `sha256:${id}`);
  });
});
