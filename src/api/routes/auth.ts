/** POST /auth: checks credentials against a registry; the client keeps them (dockerd stores nothing). */
import type { Router } from '../router.js';
import { isEngineError } from '../../core/errdefs.js';
import { mustRes, readJson, sendJson } from '../call.js';
import { bodyObject, optString } from '../body.js';
import { credentialsOf } from '../registry-auth.js';

const DOCKER_HUB = 'https://index.docker.io/v1/';

export function registerAuthRoutes(r: Router): void {
  r.post('/auth', async (c) => {
    const body = bodyObject(await readJson(c.req));
    for (const k of ['username', 'password', 'auth', 'serveraddress']) optString(body, k);
    const server = optString(body, 'serveraddress') || DOCKER_HUB;
    const creds = credentialsOf(body) ?? { username: '', password: '' };
    const registry = server === DOCKER_HUB ? 'registry-1.docker.io' : server;
    try {
      await c.engine.images.login(registry, { ...creds, store: false });
    } catch (e) {
      // dockerd's status for refused credentials
      if (isEngineError(e, 'PermissionDenied')) throw Object.assign(e, { status: 401 });
      throw e;
    }
    sendJson(mustRes(c), 200, { IdentityToken: '', Status: 'Login Succeeded' });
  });
}
