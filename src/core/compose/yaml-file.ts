/**
 * @module compose/yaml-file
 * One Compose file's YAML into plain data: anchors and aliases, merge keys (`<<: *base`, also
 * a list of aliases), duplicate keys refused, octal `0440` as YAML 1.1 reads it, and Compose v2's merge tags: `!reset` (drop the
 * value the files before set) and `!override` (replace it instead of merging), kept as markers
 * for `merge.ts`.
 */
import { isCollection, isNode, parseDocument, Scalar, visit } from 'yaml';
import { invalidArgument } from '../errdefs.js';

/** `!reset`: the key is removed from what earlier files set. */
export class ResetTag {
  private constructor() {}
  static readonly instance = new ResetTag();
}
/** `!override VALUE`: VALUE replaces what earlier files set, without merging. */
export class OverrideTag {
  constructor(readonly value: unknown) {}
}

const passthrough = ['!reset', '!override'].flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: 'map' as const, resolve: (v: unknown) => v },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
]);

// compose-go's yaml.v3 reads YAML 1.2 but keeps 1.1's octal integers (`mode: 0440` is 288, as
// the Compose docs write file modes); yes/no/on/off stay strings, as in the core schema.
const octal11 = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^0[0-7]+$/,
  resolve: (s: string) => parseInt(s, 8),
};

export function parseComposeYaml(text: string, fileName: string): Record<string, unknown> {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, customTags: (tags) => [octal11, ...tags, ...passthrough], prettyErrors: false });
  if (doc.errors.length) throw invalidArgument(`yaml: ${fileName}: ${doc.errors[0]!.message}`);
  visit(doc, {
    Node(_key, node) {
      if (!isNode(node)) return undefined;
      if (node.tag === '!reset') return new Scalar(ResetTag.instance);
      if (node.tag === '!override') {
        const inner = isCollection(node) || node instanceof Scalar ? node.toJS(doc, { maxAliasCount: 10000 }) : node;
        return new Scalar(new OverrideTag(inner));
      }
      return undefined;
    },
  });
  const value = doc.toJS({ maxAliasCount: 10000 }) as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(`${fileName}: Top-level object must be a mapping`);
  }
  return value as Record<string, unknown>;
}
