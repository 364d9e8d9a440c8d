// `docker load` of an archive that holds no image: a clear message, nothing loaded. dockerd answers
// a load 200 before reading the archive, so a refusal is an error line in the stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { sh } from '../../helpers/env.js';
import { apiEnv } from './fixtures.js';
import { footprint } from '../containers/footprint.js';

function postTar(socket: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: '/v1.41/images/load', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('docker load of an archive holding no image fails clearly (an error line in a 200 stream) and loads nothing', async () => {
  const env = await apiEnv('skiff-api-load-');
  try {
    const before = footprint(env);
    const dir = join(env.dir, 'no-image');
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), '[]');
    const tar = join(env.dir, 'no-image.tar');
    sh(`tar -cf ${tar} -C ${dir} manifest.json`);
    const r = env.docker(['load', '-i', tar]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^the archive holds no image: its manifest.json lists none$/m);
    const raw = await postTar(env.socket, readFileSync(tar));
    assert.equal(raw.status, 200);
    const message = 'the archive holds no image: its manifest.json lists none';
    assert.deepEqual(JSON.parse(raw.text), { errorDetail: { message }, error: message });
    assert.deepEqual(footprint(env), before);
  } finally {
    await env.stop();
  }
});
