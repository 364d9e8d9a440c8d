import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { App } from '../app.js';
import { humanSizeWithPrecision } from '../format/units.js';
import { renderOne } from '../format/table.js';
import type { Register } from '../registry.js';

/** For repeatable flags: `--filter a=1 --filter b=2`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `-` or no path means standard input. */
export function inputStream(path: string | undefined): Readable {
  return !path || path === '-' ? process.stdin : createReadStream(path);
}

export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

export type SubcommandTable = [name: string, aliases: string[], load: () => Promise<{ register: Register }>][];

/** A group verb (`image`, `system`): loads only the subcommand named on the command line, or all for help. */
export async function registerGroup(
  parent: Command,
  app: App,
  argv: string[],
  group: { name: string; description: string },
  subcommands: SubcommandTable,
): Promise<void> {
  const cmd = parent.command(group.name).description(group.description).enablePositionalOptions();
  const sub = argv[argv.indexOf(group.name) + 1];
  const wanted = subcommands.filter(([n, aliases]) => n === sub || aliases.includes(sub ?? ''));
  for (const [name, aliases, load] of wanted.length ? wanted : subcommands) {
    await (await load()).register(cmd, app, name);
    const added = cmd.commands.at(-1)!;
    for (const a of aliases) added.alias(a);
  }
}

/** Docker's CLI prints image sizes with 3 significant digits (go-units HumanSizeWithPrecision(n, 3)). */
export function dockerSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** Runs `fn` for every argument, printing each that succeeded (docker's output), failing with the last error. */
export async function forEachRef(app: App, refs: string[], fn: (ref: string) => Promise<unknown>): Promise<void> {
  let failed: unknown;
  for (const r of refs) {
    try {
      await fn(r);
      app.print(r);
    } catch (e) {
      if (failed) app.err(`Error: ${(failed as Error).message}\n`);
      failed = e;
    }
  }
  if (failed) throw failed;
}

/** Inspect-style output: every document found, then the first failure (docker prints what it found first). */
export async function inspectEach(app: App, refs: string[], format: string | undefined, get: (ref: string) => Promise<unknown>): Promise<void> {
  const docs: unknown[] = [];
  let failed: unknown;
  for (const r of refs) {
    try {
      docs.push(await get(r));
    } catch (e) {
      failed ??= e;
    }
  }
  if (docs.length) app.out(renderOne(docs, format));
  if (failed) throw failed;
}
