import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples, dockerSize } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderList } from '../../format/table.js';
import { timeAgo } from '../../format/units.js';
import type { ImageSummary } from '../../../engine/images/types.js';

interface Opts {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  noTrunc?: boolean;
  filter?: string[];
  format?: string;
}

const HEADERS = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
  Containers: 'CONTAINERS',
};

/** One row per name (or one `<none>` row), with Docker's `images --format` fields. */
function rows(images: ImageSummary[], o: Opts) {
  const out = [];
  for (const img of images) {
    const id = o.noTrunc ? img.Id : img.Id.slice(7, 19);
    const digest = img.RepoDigests[0]?.split('@')[1] ?? '<none>';
    const tags = img.RepoTags.length ? img.RepoTags : ['<none>:<none>'];
    for (const t of tags) {
      const at = t.lastIndexOf(':');
      const created = new Date(img.Created * 1000);
      out.push({
        Repository: t.slice(0, at),
        Tag: t.slice(at + 1),
        Digest: digest,
        ID: id,
        CreatedSince: timeAgo(created),
        CreatedAt: created.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
        Size: dockerSize(img.Size),
        SharedSize: dockerSize(img.SharedSize),
        UniqueSize: dockerSize(img.Size - img.SharedSize),
        VirtualSize: dockerSize(img.VirtualSize),
        Containers: String(img.Containers),
        Labels: img.Labels,
      });
    }
  }
  return out;
}

export function register(parent: Command, app: App, name = 'images'): void {
  const cmd = parent
    .command(name)
    .description('List images in local storage')
    .argument('[REPOSITORY[:TAG]]', 'only images whose name matches')
    .option('-a, --all', 'show all images (default hides intermediate images)')
    .option('-q, --quiet', 'only show image IDs')
    .option('--digests', 'show digests')
    .option('--no-trunc', 'do not truncate output')
    .option('-f, --filter <filter>', 'filter output: dangling, reference, label, before, since, id', collect)
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .action(async (repo: string | undefined, o: Opts) => {
      const filters = parseFilters(o.filter ?? [], ['dangling', 'reference', 'label', 'before', 'since', 'id']);
      if (repo) filters.set('reference', [...(filters.get('reference') ?? []), repo]);
      const engine = await app.engine();
      const images = await engine.images.list({ all: !!o.all, filters });
      if (o.quiet && !o.format) {
        const seen = new Set<string>();
        for (const img of images) {
          const id = o.noTrunc ? img.Id : img.Id.slice(7, 19);
          if (!seen.has(id)) app.print(id);
          seen.add(id);
        }
        return;
      }
      const defaultTable = o.digests
        ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
        : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
      app.out(renderList(rows(images, o), { format: o.format, defaultTable, headers: HEADERS }));
    });
  examples(cmd, ['skiff images', 'skiff images -a --digests', "skiff images --filter dangling=true -q", "skiff images --format '{{.Repository}}:{{.Tag}}'"]);
}
