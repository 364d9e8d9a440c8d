/**
 * Endpoints dockerd has that skiff answers as a dockerd outside a swarm and without plugins
 * does: clients (`docker node ls`, `docker service ls`, compose's swarm probe) read the 503 as
 * "no swarm here" and say so, rather than failing on a 404 they do not expect.
 */
import type { Router } from '../router.js';
import { mustRes, sendJson, type Call } from '../call.js';
import { notFound, notImplemented, unavailable } from '../../core/errdefs.js';

/** dockerd 20.10's words for any swarm object while the node is in no swarm. */
const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const SWARM_OBJECTS = ['swarm', 'services', 'nodes', 'secrets', 'configs', 'tasks'];
const METHODS = ['GET', 'POST', 'DELETE', 'PUT'];

function noSwarm(c: Call): never {
  c.req.resume();
  throw unavailable(NOT_A_MANAGER);
}

export function registerSwarmRoutes(r: Router): void {
  r.post('/swarm/leave', (c) => {
    c.req.resume();
    throw unavailable('This node is not part of a swarm');
  });
  // Joining or starting a swarm would succeed on dockerd; skiff has no swarm mode to enter.
  for (const verb of ['init', 'join']) {
    r.post(`/swarm/${verb}`, (c) => {
      c.req.resume();
      throw notImplemented('swarm mode is not supported by skiff');
    });
  }
  for (const obj of SWARM_OBJECTS) {
    for (const m of METHODS) {
      r.add(m, `/${obj}`, noSwarm);
      r.add(m, `/${obj}/{rest:.+}`, noSwarm);
    }
  }

  r.get('/plugins', (c) => sendJson(mustRes(c), 200, []));
  r.get('/plugins/privileges', (c) => sendJson(mustRes(c), 200, []));
  const noPlugin = (c: Call) => {
    c.req.resume();
    throw notFound(`plugin ${JSON.stringify(c.params.name)} not found`);
  };
  r.get('/plugins/{name:.+}/json', noPlugin);
  r.delete('/plugins/{name:.+}', noPlugin);
  for (const verb of ['enable', 'disable', 'push', 'set', 'upgrade']) r.post(`/plugins/{name:.+}/${verb}`, noPlugin);
}
