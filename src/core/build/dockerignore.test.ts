import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreMatcher, cleanPath, dockerignoreCandidates, parseDockerignore } from './dockerignore.js';

test('parseDockerignore: comments in column 1, blanks, `!`, leading / and ./, path cleaning', () => {
  const text = '\uFEFF# comment\n\n  foo/  \r\n!/bar/./baz\n! spaced \n ./a//b/../c\n/\n #not a comment\n**/\n';
  assert.deepEqual(parseDockerignore(text), ['foo', '!bar/baz', '!spaced', 'a/c', '/', '#not a comment', '**']);
  assert.deepEqual(dockerignoreCandidates('Containerfile'), ['Containerfile.dockerignore', '.dockerignore']);
  assert.deepEqual(['', '.', 'a/../..', '/..', 'a//b/', './x'].map(cleanPath), ['.', '.', '..', '/', 'a/b', 'x']);
});

test('IgnoreMatcher.isExcluded: moby/patternmatcher semantics', () => {
  // [patterns, path, excluded]
  const table: [string[], string, boolean][] = [
    [['*'], 'fileutils.go', true],
    [['*'], 'a/b/c', true],
    [['*.go'], 'fileutils.go', true],
    [['*.go'], 'a/fileutils.go', false],
    [['*/*.go'], 'a/fileutils.go', true],
    [['**/*.go'], 'a/b/c.go', true],
    [['**/*.go'], 'c.go', true],
    [['**/*.go'], 'c.gox', false],
    [['**'], 'anything/at/all', true],
    [['**/foo'], 'foo', true],
    [['**/foo'], 'a/b/foo', true],
    [['**/foo'], 'a/b/foo/inside', true],
    [['**/foo'], 'a/xfoo', false],
    [['**foo'], 'a/xfoo', true],
    [['foo/**'], 'foo/a/b', true],
    [['foo/**'], 'foo', false],
    [['foo**'], 'foobar', true],
    [['a/**/b'], 'a/b', true],
    [['a/**/b'], 'a/x/y/b', true],
    [['a/**/b'], 'a/x/y/c', false],
    [['docs'], 'docs/README.md', true],
    [['docs'], 'docsx', false],
    [['/docs'], 'docs', true],
    [['dir/*/x'], 'dir/a/x', true],
    [['dir/*/x'], 'dir/a/b/x', false],
    [['?.txt'], 'a.txt', true],
    [['?.txt'], 'ab.txt', false],
    [['[a-c].txt'], 'b.txt', true],
    [['[a-c].txt'], 'd.txt', false],
    [['[^a].txt'], 'a.txt', false],
    [['a\\*b'], 'a*b', true],
    [['a\\*b'], 'axb', false],
    [['a.b'], 'axb', false],
    [['a+(b)'], 'a+(b)', true],
    [['*.md', '!README.md'], 'README.md', false],
    [['*.md', '!README.md'], 'other.md', true],
    [['*.md', '!README.md', 'README*'], 'README.md', true],
    [['build', '!build/keep'], 'build/keep', false],
    [['build', '!build/keep'], 'build/keep/deep', false],
    [['build', '!build/keep'], 'build/other', true],
    [['!x'], 'x', false],
    [['*'], '.', false],
  ];
  for (const [patterns, path, want] of table) {
    const m = new IgnoreMatcher(parseDockerignore(patterns.join('\n')));
    assert.equal(m.isExcluded(path), want, `${JSON.stringify(patterns)} ${path}`);
  }
  assert.throws(() => new IgnoreMatcher(['!']), /illegal exclusion pattern/);
  assert.throws(() => new IgnoreMatcher(['[a-']), /syntax error in pattern/);
});

test('IgnoreMatcher.canSkipDir: only when no exception could re-include something below', () => {
  const table: [string[], string, boolean][] = [
    [['node_modules'], 'node_modules', true],
    [['node_modules', '!node_modules/keep'], 'node_modules', false],
    [['node_modules', '!node_modules/keep'], 'node_modules/other', true],
    [['build', '!**/*.keep'], 'build', false],
    [['build', '!other/x'], 'build', true],
    [['*', '!src'], 'docs', true],
    [['*', '!src'], 'src', false],
    [['a', '!a/*/k'], 'a', false],
    [['a', '!a/*/k'], 'a/b', false],
    [['a', '!a/*/k'], 'a/b/c', true],
    [['src/*.o'], 'src', false],
  ];
  for (const [patterns, dir, want] of table) {
    assert.equal(new IgnoreMatcher(patterns).canSkipDir(dir), want, `${JSON.stringify(patterns)} ${dir}`);
  }
});
