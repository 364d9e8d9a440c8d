/**
 * `image trust set`: one scope of a policy.json replaced, as Podman's AddPolicyEntries does it;
 * every other entry (and field skiff does not know) is kept as it was.
 */
import { invalidArgument } from '../../core/errdefs.js';
import { parsePolicy } from './policy.js';

export type TrustSetType = 'accept' | 'insecureAcceptAnything' | 'reject' | 'signedBy' | 'sigstoreSigned';
export const TRUST_SET_TYPES: TrustSetType[] = ['accept', 'insecureAcceptAnything', 'reject', 'signedBy', 'sigstoreSigned'];

type Obj = Record<string, unknown>;

function requirements(type: TrustSetType, keyPaths: string[]): Obj[] {
  switch (type) {
    case 'accept':
    case 'insecureAcceptAnything':
    case 'reject':
      if (keyPaths.length) throw invalidArgument(`-f/--pubkeysfile option is not supported for type "${type}"`);
      return [{ type: type === 'reject' ? 'reject' : 'insecureAcceptAnything' }];
    case 'signedBy':
      if (!keyPaths.length) throw invalidArgument('at least one public key must be defined for type "signedBy"');
      return keyPaths.map((keyPath) => ({ type: 'signedBy', keyType: 'GPGKeys', keyPath }));
    case 'sigstoreSigned':
      if (!keyPaths.length) throw invalidArgument('at least one public key must be defined for type "sigstoreSigned"');
      return keyPaths.map((keyPath) => ({ type: 'sigstoreSigned', keyPath }));
  }
}

/**
 * The policy text with `scope` ("default", or a docker scope: host, namespace, repository) set to
 * `type` with `keyPaths`; `current` is the file's text (undefined: no file yet). The result is
 * parsed again before it is returned, so what is written is a policy skiff reads.
 */
export function setTrust(current: string | undefined, scope: string, type: TrustSetType, keyPaths: string[], file = 'policy.json'): string {
  if (!TRUST_SET_TYPES.includes(type)) throw invalidArgument(`invalid choice "${type}" for --type (choose from ${TRUST_SET_TYPES.join(', ')})`);
  if (!scope) throw invalidArgument('a scope is required: "default", a registry, or a registry/repository');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(scope)) throw invalidArgument(`scope "${scope}": give a registry or repository without a transport`);
  let doc: Obj = { default: [{ type: 'insecureAcceptAnything' }] };
  if (current !== undefined) {
    parsePolicy(current, file);
    doc = JSON.parse(current) as Obj;
  }
  const reqs = requirements(type, keyPaths);
  if (scope === 'default') doc.default = reqs;
  else {
    const transports = (doc.transports ??= {}) as Obj;
    const docker = (transports.docker ??= {}) as Obj;
    docker[scope] = reqs;
  }
  // Podman writes Go maps, whose keys come out sorted: transports and scopes in that order.
  if (doc.transports && typeof doc.transports === 'object') {
    const t = doc.transports as Record<string, Obj>;
    doc.transports = Object.fromEntries(Object.keys(t).sort().map((k) => [k, t[k] && typeof t[k] === 'object' ? Object.fromEntries(Object.keys(t[k]).sort().map((s) => [s, t[k]![s]])) : t[k]]));
  }
  const text = JSON.stringify(doc, null, 4);
  parsePolicy(text, file);
  return text;
}
