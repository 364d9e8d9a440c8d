/**
 * @module compose/serialize
 * The model as `docker compose config` prints it: YAML (Go's yaml.v3 style: sequences indented
 * under their key, no line folding) or indented JSON; every `$` doubled, as Compose does, so the
 * output loads again into the same model instead of being interpolated a second time.
 */
import { stringify } from 'yaml';
import type { ComposeProject } from './types.js';

export function serializeProject(project: ComposeProject, format: 'yaml' | 'json'): string {
  const text =
    format === 'json'
      ? JSON.stringify(project, null, 2) + '\n'
      : stringify(project, { lineWidth: 0, indentSeq: true, aliasDuplicateObjects: false });
  return text.replaceAll('$', '$$$$');
}
