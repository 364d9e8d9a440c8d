import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, dockerSize } from '../common.js';
import { formatTable, renderList } from '../../format/table.js';
import { timeAgo } from '../../format/units.js';

function pct(part: number, whole: number): string {
  return whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '';
}

/** Docker's Local Volumes row: active = used by a container; reclaimable = the unused ones. */
function volumeLine(volumes: { Size: number; RefCount: number }[]) {
  const size = volumes.reduce((n, v) => n + v.Size, 0);
  const unused = volumes.filter((v) => v.RefCount === 0).reduce((n, v) => n + v.Size, 0);
  return {
    Type: 'Local Volumes',
    TotalCount: String(volumes.length),
    Active: String(volumes.filter((v) => v.RefCount > 0).length),
    Size: dockerSize(size),
    Reclaimable: dockerSize(unused) + pct(unused, size),
  };
}

/** Docker's Containers row: active = running; reclaimable = the writable layers of the stopped ones. */
function containerLine(containers: { State: string; SizeRw?: number }[]) {
  const size = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const idle = containers.filter((c) => c.State !== 'running' && c.State !== 'paused');
  const unused = idle.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  return {
    Type: 'Containers',
    TotalCount: String(containers.length),
    Active: String(containers.length - idle.length),
    Size: dockerSize(size),
    Reclaimable: dockerSize(unused) + pct(unused, size),
  };
}

/** Docker's Build Cache row: a layer an image also uses is not reclaimed by pruning the cache. */
function buildCacheLine(entries: { Size: number; Shared: boolean; InUse: boolean }[]) {
  const size = entries.reduce((n, e) => n + e.Size, 0);
  const unused = entries.filter((e) => !e.Shared && !e.InUse).reduce((n, e) => n + e.Size, 0);
  return {
    Type: 'Build Cache',
    TotalCount: String(entries.length),
    Active: String(entries.filter((e) => e.InUse).length),
    Size: dockerSize(size),
    Reclaimable: dockerSize(unused),
  };
}

/** skiff's own row: the content store's ingest files; reclaimable = those no live pull holds. */
function partialDownloadsLine(p: { Count: number; Active: number; Size: number; Reclaimable: number }) {
  return {
    Type: 'Partial Downloads',
    TotalCount: String(p.Count),
    Active: String(p.Active),
    Size: dockerSize(p.Size),
    Reclaimable: dockerSize(p.Reclaimable) + pct(p.Reclaimable, p.Size),
  };
}

export function register(parent: Command, app: App, name = 'df'): void {
  const cmd = parent
    .command(name)
    .description('Show disk usage of images, containers, volumes, build cache and partial downloads')
    .option('-v, --verbose', 'show per-image and per-layer-sharing detail')
    .option('--format <format>', "Go template or 'json'")
    .action(async (o: { verbose?: boolean; format?: string }) => {
      const du = await (await app.engine()).df();
      const activeImages = du.Images.filter((i) => i.Containers > 0);
      const reclaimImages = du.Images.filter((i) => i.Containers === 0).reduce((n, i) => n + i.UniqueSize, 0);
      const summary = [
        {
          Type: 'Images',
          TotalCount: String(du.Images.length),
          Active: String(activeImages.length),
          Size: dockerSize(du.LayersSize),
          Reclaimable: dockerSize(reclaimImages) + pct(reclaimImages, du.LayersSize),
        },
        containerLine(du.Containers),
        volumeLine(du.Volumes),
        buildCacheLine(du.BuildCache),
        partialDownloadsLine(du.PartialDownloads),
      ];
      if (o.format === 'json' && o.verbose) {
        app.print(JSON.stringify(du));
        return;
      }
      if (o.format || !o.verbose) {
        app.out(
          renderList(summary, {
            format: o.format,
            defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
            headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
          }),
        );
        if (!o.format) app.print(`\nLayer sharing saves ${dockerSize(du.SharingSavings)}`);
        return;
      }
      app.print('Images space usage:\n');
      app.out(
        formatTable(
          ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
          du.Images.flatMap((i) =>
            (i.RepoTags.length ? i.RepoTags : ['<none>:<none>']).map((t) => {
              const at = t.lastIndexOf(':');
              return [
                t.slice(0, at),
                t.slice(at + 1),
                i.Id.slice(7, 19),
                timeAgo(new Date(i.Created * 1000)),
                dockerSize(i.Size),
                dockerSize(i.SharedSize),
                dockerSize(i.UniqueSize),
                String(i.Containers),
              ];
            }),
          ),
        ),
      );
      app.print(`\nLayer sharing saves ${dockerSize(du.SharingSavings)} (Σ layer size × (images using it − 1))`);
      app.print('\nContainers space usage:\n');
      app.out(formatTable(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], []));
      app.print('\nLocal Volumes space usage:\n');
      app.out(formatTable(['VOLUME NAME', 'LINKS', 'SIZE'], du.Volumes.map((v) => [v.Name, String(v.RefCount), dockerSize(v.Size)])));
      const p = du.PartialDownloads;
      app.print(
        `\nPartial downloads: ${dockerSize(p.Size)} in ${p.Count} ingest file(s), ${p.Active} held by a pull in progress, ${dockerSize(p.Reclaimable)} reclaimable by image prune\n`,
      );
      const cacheSize = du.BuildCache.reduce((n, e) => n + e.Size, 0);
      app.print(`\nBuild cache usage: ${dockerSize(cacheSize)}\n`);
      app.out(
        formatTable(
          ['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'],
          du.BuildCache.map((e) => [
            e.Id.slice(0, 12),
            'regular',
            dockerSize(e.Size),
            timeAgo(new Date(e.CreatedAt)),
            timeAgo(new Date(e.LastUsedAt)),
            '1',
            String(e.Shared),
          ]),
        ),
      );
    });
  examples(cmd, ['skiff system df', 'skiff system df -v']);
}
