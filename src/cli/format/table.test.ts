import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, renderList, renderOne } from './table.js';
import { tabwrite } from './tabwriter.js';
import { TemplateError } from './go-template.js';

// Expected layouts are what docker prints for `docker context ls --format 'table <same text>'`.

test('tabwriter: columns as wide as the widest cell plus 3, at least 10', () => {
  assert.equal(tabwrite('a\tbb\tc\nlonger cell here\tx\ty\n'), 'a                  bb        c\nlonger cell here   x         y\n');
  // the text after a line's last tab belongs to no column and is not padded
  assert.equal(tabwrite('ID\tNAME\n1\tweb\n'), 'ID        NAME\n1         web\n');
  // an empty trailing cell still pads the column before it (docker's ERROR column)
  assert.equal(tabwrite('A\tB\tC\na\t\t\n'), 'A         B         C\na                   \n');
});

test('tabwriter: a column spans only the consecutive lines that have it', () => {
  assert.equal(tabwrite('a\tb\tc\nd\te\nlong-cell-value\tf\tg\n'), 'a                 b         c\nd                 e\nlong-cell-value   f         g\n');
  // a line without tabs ends the block: widths restart after it
  assert.equal(tabwrite('a\tb\nplain line\nlonger-first-cell\tc\n'), 'a         b\nplain line\nlonger-first-cell   c\n');
  // widths count characters, not bytes; no final newline stays no final newline
  assert.equal(tabwrite('é\tx\nab\ty'), 'é         x\nab        y');
});

test('formatTable lays headers and rows out like docker', () => {
  const out = formatTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    [
      ['alpine', 'latest', 'a606584aa9aa', '2 weeks ago', '8.31MB'],
      ['docker.io/library/busybox', '1.36', '3f57d9401f8d', '3 months ago', '4.26MB'],
    ],
  );
  assert.equal(
    out,
    'REPOSITORY                  TAG       IMAGE ID       CREATED        SIZE\n' +
      'alpine                      latest    a606584aa9aa   2 weeks ago    8.31MB\n' +
      'docker.io/library/busybox   1.36      3f57d9401f8d   3 months ago   4.26MB\n',
  );
  assert.equal(formatTable(['A', 'B'], [['x\ty', 'z']]), 'A         B\nx y       z\n');
});

const images = [
  { Repository: 'alpine', Tag: 'latest', ID: 'a606584aa9aa', Size: '8.31MB', Labels: { maintainer: 'me' } },
  { Repository: 'busybox', Tag: '1.36', ID: '3f57d9401f8d', Size: '4.26MB', Labels: {} },
];
const listOpts = {
  defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}',
  headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', Size: 'SIZE' },
};

test('renderList: no format, "" and "table" all print the default table', () => {
  const want =
    'REPOSITORY   TAG       IMAGE ID       SIZE\n' + 'alpine       latest    a606584aa9aa   8.31MB\n' + 'busybox      1.36      3f57d9401f8d   4.26MB\n';
  assert.equal(renderList(images, listOpts), want);
  assert.equal(renderList(images, { ...listOpts, format: '' }), want);
  assert.equal(renderList(images, { ...listOpts, format: 'table' }), want);
  // an empty listing still has its header
  assert.equal(renderList([], listOpts), 'REPOSITORY   TAG       IMAGE ID   SIZE\n');
});

test('renderList: a custom table takes headers from its fields, escapes from the shell', () => {
  assert.equal(
    renderList(images, { ...listOpts, format: 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.Labels.maintainer}}' }),
    'IMAGE ID       REPOSITORY:TAG   MAINTAINER\n' + 'a606584aa9aa   alpine:latest    me\n' + '3f57d9401f8d   busybox:1.36     <no value>\n',
  );
  // podman's reading: without tabs, the spaces between actions separate columns
  assert.equal(
    renderList(images, { ...listOpts, format: 'table {{.Tag}} {{.Repository}}' }),
    'TAG       REPOSITORY\nlatest    alpine\n1.36      busybox\n',
  );
});

test('renderList: json is one compact object per line; templates run per item', () => {
  assert.equal(
    renderList(images.slice(0, 1), { ...listOpts, format: 'json' }),
    '{"Repository":"alpine","Tag":"latest","ID":"a606584aa9aa","Size":"8.31MB","Labels":{"maintainer":"me"}}\n',
  );
  assert.equal(renderList(images, { ...listOpts, format: '{{.Repository}}:{{.Tag}}' }), 'alpine:latest\nbusybox:1.36\n');
  assert.equal(renderList(images, { ...listOpts, format: '{{.ID}}\\n' }), 'a606584aa9aa\n\n3f57d9401f8d\n\n');
  assert.equal(renderList([], { ...listOpts, format: '{{.ID}}' }), '');
});

test('renderList: --quiet prints IDs only and wins over --format', () => {
  assert.equal(renderList(images, { ...listOpts, quiet: true }), 'a606584aa9aa\n3f57d9401f8d\n');
  assert.equal(renderList(images, { ...listOpts, quiet: true, format: 'json' }), 'a606584aa9aa\n3f57d9401f8d\n');
  assert.equal(renderList(images, { ...listOpts, quiet: true, quietFormat: '{{.Repository}}' }), 'alpine\nbusybox\n');
});

test('renderList: a bad template is a TemplateError', () => {
  assert.throws(() => renderList(images, { ...listOpts, format: '{{.Nope}}' }), TemplateError);
  assert.throws(() => renderList(images, { ...listOpts, format: 'table {{.ID' }), /template: :1: unclosed action/);
});

test('renderOne: JSON array indented 4 spaces, or a template per item', () => {
  const obj = { Id: 'abc', Config: { Labels: { a: '1' }, Env: [] }, State: null };
  const json = '[\n    {\n        "Id": "abc",\n        "Config": {\n            "Labels": {\n                "a": "1"\n            },\n            "Env": []\n        },\n        "State": null\n    }\n]\n';
  assert.equal(renderOne([obj]), json);
  assert.equal(renderOne(obj), json);
  assert.equal(renderOne([obj], 'json'), json);
  assert.equal(renderOne([], undefined), '[]\n');
  assert.equal(renderOne([obj, { Id: 'def', Config: {} }], '{{.Id}} {{.Config.Labels.a}}'), 'abc 1\ndef <no value>\n');
  assert.equal(renderOne([obj], '{{json .Config}}'), '{"Labels":{"a":"1"},"Env":[]}\n');
});
