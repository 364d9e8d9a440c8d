import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags, projectFlags } from './group.js';

interface Opts {
  services?: boolean;
  volumes?: boolean;
  profiles?: boolean;
  images?: boolean;
  networks?: boolean;
  format?: string;
  quiet?: boolean;
  output?: string;
}

// docker compose's default image name for a service that only builds: <project>-<service>.
const imageOf = (project: string, service: string, image: unknown) => (typeof image === 'string' ? image : `${project}-${service}`);

export function register(parent: Command, app: App, name = 'config'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Parse, resolve and render the Compose file in canonical format')
    .argument('[service...]', 'only these services (and what they depend on)')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--profiles', 'print the profile names, one per line')
    .option('--images', 'print the image names, one per line')
    .option('--networks', 'print the network names, one per line')
    .option('-o, --output <file>', 'write the model to this file instead of standard output')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-q, --quiet', 'only validate the configuration, print nothing')
    .action(async (services: string[], o: Opts, self: Command) => {
      if (o.format !== 'yaml' && o.format !== 'json') throw invalidArgument(`unsupported format "${o.format}": use yaml or json`);
      const flags = projectFlags(self);
      const { loadProject, serializeProject } = await import('../../../engine/compose/load.js');
      const loaded = loadProject({
        files: flags.file,
        projectName: flags.projectName,
        projectDirectory: flags.projectDirectory,
        envFiles: flags.envFile,
        profiles: flags.profile,
        services,
        onWarning: (w) => app.err(`WARN[0000] ${w}\n`),
      });
      if (o.quiet) return;
      const { project } = loaded;
      if (o.services) return app.out(lines(Object.keys(project.services).sort()));
      if (o.volumes) return app.out(lines(Object.keys(project.volumes ?? {}).sort()));
      if (o.profiles) return app.out(lines(loaded.allProfiles));
      if (o.networks) return app.out(lines(Object.keys(project.networks ?? {}).sort()));
      if (o.images) return app.out(lines(Object.entries(project.services).map(([n, s]) => imageOf(project.name, n, s.image))));
      const text = serializeProject(project, o.format);
      if (o.output) writeFileSync(o.output, text);
      else app.out(text);
    });
  examples(cmd, ['skiff compose config', 'skiff compose -f compose.yaml -f compose.prod.yaml config --format json', 'skiff compose config --services']);
}

const lines = (names: string[]) => names.map((n) => `${n}\n`).join('');
