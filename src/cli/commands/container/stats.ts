import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderList } from '../../format/table.js';
import { bytesSize, humanSizeWithPrecision } from '../../format/units.js';
import type { ContainerStats } from '../../../engine/containers/stats.js';

const HEADERS = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

interface Opts {
  all?: boolean;
  stream: boolean;
  format?: string;
  trunc: boolean;
}

const size = (n: number) => humanSizeWithPrecision(n, 3);

/** docker's row: CPU from two samples' difference over the wall time between them. */
function row(prev: ContainerStats | undefined, s: ContainerStats, trunc: boolean) {
  const wall = prev ? s.readAt - prev.readAt : 0;
  const cpu = prev && wall > 0 && s.running ? Math.max(0, ((s.cpuNs - prev.cpuNs) / wall) * 100) : 0;
  const memPerc = s.memLimit > 0 ? (s.memUsage / s.memLimit) * 100 : 0;
  return {
    ID: trunc ? s.id.slice(0, 12) : s.id,
    Container: trunc ? s.id.slice(0, 12) : s.id,
    Name: s.name,
    CPUPerc: s.running ? `${cpu.toFixed(2)}%` : '--',
    MemUsage: s.running ? `${bytesSize(s.memUsage)} / ${bytesSize(s.memLimit)}` : '-- / --',
    MemPerc: s.running ? `${memPerc.toFixed(2)}%` : '--',
    NetIO: s.running ? `${size(s.netRx)} / ${size(s.netTx)}` : '--',
    BlockIO: s.running ? `${size(s.blkRead)} / ${size(s.blkWrite)}` : '--',
    PIDs: s.running ? String(s.pids) : '--',
  };
}

export function register(parent: Command, app: App, name = 'stats'): void {
  const cmd = parent
    .command(name)
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[CONTAINER...]')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .option('--no-trunc', "don't truncate output")
    .action(async (refs: string[], o: Opts) => {
      const containers = (await app.engine()).containers;
      const take = () => containers.stats(refs, { all: !!o.all });
      const render = (prev: Map<string, ContainerStats>, now: ContainerStats[]) =>
        renderList(
          now.map((s) => row(prev.get(s.id), s, o.trunc)),
          { format: o.format, defaultTable: DEFAULT_TABLE, headers: HEADERS },
        );
      let prev = new Map((await take()).map((s) => [s.id, s]));
      await new Promise((r) => setTimeout(r, 1000));
      if (!o.stream) {
        app.out(render(prev, await take()));
        return;
      }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
      while (!stop.signal.aborted) {
        const now = await take();
        app.out(clear + render(prev, now));
        prev = new Map(now.map((s) => [s.id, s]));
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
  examples(cmd, ['skiff stats --no-stream', "skiff stats --no-stream --format '{{.Name}} {{.MemUsage}}' web"]);
}
