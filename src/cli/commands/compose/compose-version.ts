import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { COMPOSE_VERSION } from '../../../engine/compose/labels.js';
import { SKIFF_VERSION } from '../../../engine/system/info.js';

/**
 * The Docker Compose release whose behaviour skiff follows, in its shapes (scripts parse
 * `version --short`); the full line also names skiff's own version.
 */
export function register(parent: Command, app: App, name = 'version'): void {
  const cmd = parent
    .command(name)
    .description('Show the Docker Compose version information')
    .option('-f, --format <format>', 'format the output: pretty or json', 'pretty')
    .option('--short', 'shows only the version number')
    .action((o: { format: string; short?: boolean }) => {
      if (o.short) return app.print(COMPOSE_VERSION);
      if (o.format === 'json') return app.print(JSON.stringify({ version: `v${COMPOSE_VERSION}` }));
      if (o.format !== 'pretty') throw invalidArgument(`format value "${o.format}" could not be parsed: use pretty or json`);
      app.print(`Docker Compose version v${COMPOSE_VERSION} (skiff ${SKIFF_VERSION})`);
    });
  examples(cmd, ['skiff compose version', 'skiff compose version --short']);
}
