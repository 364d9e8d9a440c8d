import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { renderList } from '../../format/table.js';
import { toGoJSON } from '../../format/go-template.js';
import { humanSizeWithPrecision } from '../../format/units.js';
import { addProjectFlags } from './group.js';
import { loadOrState } from './project.js';

const HEADERS = { ContainerName: 'CONTAINER', Repository: 'REPOSITORY', Tag: 'TAG', ShortID: 'IMAGE ID', HumanSize: 'SIZE' };
const DEFAULT_TABLE = 'table {{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.ShortID}}\t{{.HumanSize}}';

/** `repo:tag` → its two parts; a port's colon is not a tag's. */
function splitTag(ref: string | undefined): [string, string] {
  if (!ref) return ['<none>', '<none>'];
  const i = ref.lastIndexOf(':');
  return i > ref.lastIndexOf('/') ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, 'latest'];
}

export function register(parent: Command, app: App, name = 'images'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('List images used by the created containers')
    .argument('[service...]', 'only these services')
    .option('-q, --quiet', 'only display IDs')
    .option('--format <format>', 'format the output: table or json', 'table')
    .action(async (services: string[], o: { quiet?: boolean; format: string }, self: Command) => {
      if (o.format !== 'table' && o.format !== 'json') throw invalidArgument(`format value "${o.format}" could not be parsed: use table or json`);
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const cs = (await projectContainers(engine, loaded.project.name)).filter((c) => !services.length || services.includes(c.service));
      const images = new Map((await engine.images.list({ all: true })).map((i) => [i.Id, i]));
      const rows = cs
        .map((c) => {
          const img = images.get(c.summary.ImageID);
          const [Repository, Tag] = splitTag(img?.RepoTags[0]);
          const ID = c.summary.ImageID;
          const size = img?.Size ?? 0;
          return { ID, ContainerName: c.name, Repository, Tag, Size: size, ShortID: ID.replace(/^sha256:/, '').slice(0, 12), HumanSize: humanSizeWithPrecision(size, 3) };
        })
        .sort((a, b) => a.ContainerName.localeCompare(b.ContainerName));
      if (o.quiet) {
        for (const id of new Set(rows.map((r) => r.ID.replace(/^sha256:/, '')))) app.print(id);
        return;
      }
      // Docker Compose prints one JSON array, not a document per line.
      if (o.format === 'json') return app.print(toGoJSON(rows.map(({ ID, ContainerName, Repository, Tag, Size }) => ({ ID, ContainerName, Repository, Tag, Size }))));
      app.out(renderList(rows, { format: o.format, defaultTable: DEFAULT_TABLE, headers: HEADERS }));
    });
  examples(cmd, ['skiff compose images', 'skiff compose images --format json web']);
}
