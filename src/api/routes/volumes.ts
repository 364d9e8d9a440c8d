/** Volumes (local driver): list, inspect, create, remove, prune. */
import type { Router } from '../router.js';
import { boolParam, filtersParam, mustRes, readJson, sendEmpty, sendJson } from '../call.js';
import { versionAtLeast } from '../version.js';
import { bodyObject, optString, optStringMap } from '../body.js';
import { volumeDoc } from '../shapes/volume.js';

export function registerVolumeRoutes(r: Router): void {
  r.get('/volumes', (c) => {
    const list = c.engine.volumes.list(filtersParam(c.query));
    sendJson(mustRes(c), 200, { Volumes: list.map((v) => volumeDoc(v)), Warnings: null });
  });

  r.post('/volumes/create', async (c) => {
    const body = bodyObject(await readJson(c.req));
    const v = await c.engine.volumes.create({
      name: optString(body, 'Name') || undefined,
      driver: optString(body, 'Driver') || undefined,
      labels: optStringMap(body, 'Labels'),
      options: optStringMap(body, 'DriverOpts'),
    });
    sendJson(mustRes(c), 201, volumeDoc(v));
  });

  r.post('/volumes/prune', async (c) => {
    // Before API 1.42 every unused volume goes; since then only anonymous ones unless all=true.
    const report = await c.engine.volumes.prune({ all: !versionAtLeast(c.version, '1.42'), filters: filtersParam(c.query) });
    sendJson(mustRes(c), 200, { VolumesDeleted: report.VolumesDeleted, SpaceReclaimed: report.SpaceReclaimed });
  });

  r.get('/volumes/{name}', (c) => {
    sendJson(mustRes(c), 200, volumeDoc(c.engine.volumes.inspect(c.params.name!)));
  });

  r.delete('/volumes/{name}', async (c) => {
    await c.engine.volumes.remove(c.params.name!, { force: boolParam(c.query, 'force') });
    sendEmpty(mustRes(c), 204);
  });
}
