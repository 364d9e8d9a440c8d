// Where the context and the Dockerfile come from (directory, tar file, stdin, -f), and which
// files of the context COPY sees (.dockerignore, Containerfile.dockerignore).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBuildEnv } from './fixtures.js';

describe('build: context', () => {
  const env = useBuildEnv();

  test('Containerfile is picked up like Dockerfile; -f names another file', () => {
    const dir = env.context({ Containerfile: 'FROM bb\nRUN echo containerfile > /which\n', 'other.df': 'FROM bb\nRUN echo other > /which\n' });
    env.build(dir, ['-t', 'cf1']);
    assert.equal(env.runIn('cf1', ['cat', '/which']), 'containerfile\n');
    env.build(dir, ['-t', 'cf2', '-f', join(dir, 'other.df')]);
    assert.equal(env.runIn('cf2', ['cat', '/which']), 'other\n');
    const empty = env.context({ 'x.txt': '' });
    const r = env.tryBuild(empty);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /no Containerfile or Dockerfile/);
  });

  test('a tar archive as the context, from a file and from stdin; a Dockerfile alone on stdin', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nCOPY . /ctx/\n', 'in/file.txt': 'from tar\n' });
    const tar = join(env.dir, 'ctx.tar');
    execFileSync('tar', ['-cf', tar, '-C', dir, '.']);
    env.build(tar, ['-t', 'tar1']);
    assert.equal(env.runIn('tar1', ['cat', '/ctx/in/file.txt']), 'from tar\n');
    const gz = join(env.dir, 'ctx.tar.gz');
    execFileSync('tar', ['-czf', gz, '-C', dir, '.']);
    const viaStdin = env.run(['build', '--network', 'none', '-t', 'tar2', '-'], { input: readFileSync(gz) });
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    assert.equal(env.runIn('tar2', ['cat', '/ctx/in/file.txt']), 'from tar\n');

    const df = env.run(['build', '--network', 'none', '-t', 'stdin-df', '-'], { input: 'FROM bb\nRUN echo no context > /x\n' });
    assert.equal(df.code, 0, df.stderr);
    assert.equal(env.runIn('stdin-df', ['cat', '/x']), 'no context\n');

    const dir2 = env.context({ 'data.txt': 'D\n' });
    const f = env.run(['build', '--network', 'none', '-t', 'stdin-f', '-f', '-', dir2], { input: 'FROM bb\nCOPY data.txt /\n' });
    assert.equal(f.code, 0, f.stderr);
    assert.equal(env.runIn('stdin-f', ['cat', '/data.txt']), 'D\n');
  });

  test('.dockerignore: globs, ** , ! exceptions, leading /, excluded directories', () => {
    const dir = env.context({
      Dockerfile: 'FROM bb\nCOPY . /ctx/\nRUN cd /ctx && find . -type f | sort > /list\n',
      '.dockerignore': ['# comment', '*.log', '!keep.log', '**/*.tmp', '/rootonly', 'secret/', '!secret/public.txt', 'Dockerfile', ''].join('\n'),
      'a.log': '',
      'keep.log': '',
      'sub/b.log': '',
      'sub/c.tmp': '',
      'sub/deep/d.tmp': '',
      'sub/rootonly': '',
      rootonly: '',
      'secret/key': '',
      'secret/public.txt': '',
      'src/main.sh': '',
    });
    env.build(dir, ['-t', 'ign1']);
    assert.equal(
      env.runIn('ign1', ['cat', '/list']),
      ['./.dockerignore', './keep.log', './secret/public.txt', './src/main.sh', './sub/b.log', './sub/rootonly', ''].join('\n'),
    );
    const r = env.tryBuild(env.context({ Dockerfile: 'FROM bb\nCOPY a.log /\n', '.dockerignore': '*.log\n', 'a.log': '' }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /excluded by \.dockerignore/);
  });

  test('<Dockerfile>.dockerignore next to the Dockerfile wins over .dockerignore', () => {
    const dir = env.context({
      'build/app.Containerfile': 'FROM bb\nCOPY . /ctx/\nRUN ls -A /ctx > /list\n',
      'build/app.Containerfile.dockerignore': 'one\n',
      '.dockerignore': 'two\n',
      one: '',
      two: '',
    });
    env.build(dir, ['-t', 'ign2', '-f', join(dir, 'build/app.Containerfile')]);
    assert.equal(env.runIn('ign2', ['cat', '/list']), '.dockerignore\nbuild\ntwo\n');
    writeFileSync(join(dir, 'build/app.Containerfile.dockerignore'), 'two\nbuild\n');
    env.build(dir, ['-t', 'ign3', '-f', join(dir, 'build/app.Containerfile')]);
    assert.equal(env.runIn('ign3', ['cat', '/list']), '.dockerignore\none\n');
  });

  test('COPY never reads outside the context: .. and symlinks stay inside', () => {
    const outside = join(env.dir, 'outside.txt');
    writeFileSync(outside, 'secret outside\n');
    const dir = env.context({
      Dockerfile: 'FROM bb\nCOPY ../../outside.txt /dotdot\nCOPY escape /escape\n',
      'outside.txt': 'inside\n',
      escape: { symlink: outside },
    });
    const r = env.tryBuild(dir, ['-t', 'scoped']);
    if (r.code === 0) {
      assert.equal(env.runIn('scoped', ['cat', '/dotdot']), 'inside\n');
      assert.doesNotMatch(env.runIn('scoped', ['sh', '-c', 'cat /escape 2>&1 || true']), /secret outside/);
    } else {
      assert.doesNotMatch(r.stderr + r.stdout, /secret outside/);
    }
  });
});
