import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderOne } from '../../format/table.js';

/** Like podman's: YAML-ish by default, JSON with --format json, or a Go template. */
function toYaml(v: unknown, indent = ''): string {
  if (v === null || typeof v !== 'object') return ` ${String(v)}\n`;
  if (Array.isArray(v)) {
    if (!v.length) return ' []\n';
    return '\n' + v.map((x) => (x !== null && typeof x === 'object' ? `${indent}-${toYaml(x, indent + '  ').trimEnd()}` : `${indent}- ${String(x)}`)).join('\n') + '\n';
  }
  return (
    (indent ? '\n' : '') +
    Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${indent}${k}:${toYaml(x, indent + '  ')}`)
      .join('')
  );
}

export function register(parent: Command, app: App, name = 'info'): void {
  const cmd = parent
    .command(name)
    .description('Display skiff system information')
    .option('-f, --format <format>', "Go template or 'json'")
    .action(async (o: { format?: string }) => {
      const info = (await app.engine()).info();
      if (o.format === 'json') app.print(JSON.stringify(info, null, 4));
      else if (o.format) app.out(renderOne([info], o.format));
      else app.out(toYaml(info));
    });
  examples(cmd, ['skiff info', "skiff info --format '{{.Store.GraphDriverName}}'"]);
}
