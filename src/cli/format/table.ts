/**
 * @module table
 * The output conventions every verb shares: docker-style tables and the `--format` entry
 * points. A list verb calls renderList, an inspect-like verb renderOne; both return the
 * whole text, newline-terminated, for the verb to write.
 *
 * --format for a list verb, as docker reads it:
 *   absent, "" or "table"   the verb's default table
 *   "table <template>"      a table: the header row is the template run in header mode
 *   "json"                  one compact JSON object per line (docker's choice; podman
 *                           prints one array, but scripts written for docker read lines)
 *   any other template      run once per item, each followed by a newline
 * In every template the two-character sequences \t and \n stand for tab and newline, so
 * shell users can type them. A table template without any tab gets podman's reading:
 * the spaces between two actions become column breaks ("table {{.ID}} {{.Names}}").
 */

import { parseTemplate, toGoJSON, type TemplateFunc } from './go-template.js';
import { tabwrite } from './tabwriter.js';

export interface ListFormatOptions {
  /** the --format value */
  format?: string | undefined;
  /** --quiet: one ID per line, no header; it wins over --format */
  quiet?: boolean | undefined;
  /** the verb's table, e.g. "table {{.Repository}}\t{{.Tag}}\t{{.ID}}" */
  defaultTable: string;
  /** field → header text, e.g. { ID: 'IMAGE ID' }; other fields head their column in capitals */
  headers: Readonly<Record<string, string>>;
  /** the template --quiet prints; "{{.ID}}" unless the verb says otherwise */
  quietFormat?: string;
  /** extra template functions */
  funcs?: Readonly<Record<string, TemplateFunc>>;
}

/** docker's preFormat: the escapes a shell user types for tab and newline. */
function unescapeFormat(format: string): string {
  return format.replace(/\\([tn])/g, (_, c: string) => (c === 't' ? '\t' : '\n'));
}

const isTableFormat = (format: string): boolean => format.startsWith('table');

/** The template after the "table" keyword, with podman's spaces-as-columns when it has no tab. */
function tableBody(format: string): string {
  const body = unescapeFormat(format.slice('table'.length).replace(/^ +| +$/g, ''));
  return body.includes('\t') ? body : body.replace(/\}\}( +)\{\{/g, '}}\t{{');
}

/** Aligns rows under a header row as docker's tables are: columns three spaces apart, at least 10 wide. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // A tab or newline inside a cell would break the grid; show it as a space.
  const line = (cells: readonly string[]): string => cells.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t');
  return tabwrite([headers, ...rows].map((r) => line(r) + '\n').join(''));
}

/** Renders a list verb's items per its --format and --quiet flags (see the module comment). */
export function renderList(items: readonly object[], opts: ListFormatOptions): string {
  let format = opts.quiet ? (opts.quietFormat ?? '{{.ID}}') : (opts.format ?? '');
  if (format === '' || format === 'table') format = opts.defaultTable;
  if (!opts.quiet && format === 'json') return items.map((item) => toGoJSON(item) + '\n').join('');
  const funcs = opts.funcs ? { funcs: opts.funcs } : {};
  if (isTableFormat(format)) {
    let body = tableBody(format);
    if (body === '') body = tableBody(opts.defaultTable);
    const tmpl = parseTemplate(body, funcs);
    let text = tmpl.executeHeader(opts.headers) + '\n';
    for (const item of items) text += tmpl.execute(item) + '\n';
    return tabwrite(text);
  }
  const tmpl = parseTemplate(unescapeFormat(format), funcs);
  return items.map((item) => tmpl.execute(item) + '\n').join('');
}

/**
 * Renders inspect-like output. `items` is the list of inspected objects (a single
 * non-array value counts as a list of one). Without a format, or with "json", it prints
 * the JSON array indented four spaces as `docker inspect` does; with a template, the
 * template once per item. Fields read as map entries here, so a missing one prints
 * `<no value>`: docker inspect falls back to the raw JSON in the same case.
 */
export function renderOne(items: unknown, format?: string, funcs?: Readonly<Record<string, TemplateFunc>>): string {
  const list: readonly unknown[] = Array.isArray(items) ? items : [items];
  if (format === undefined || format === '' || format === 'json') return toGoJSON(list, '    ') + '\n';
  const tmpl = parseTemplate(unescapeFormat(format), funcs ? { funcs } : {});
  return list.map((item) => tmpl.execute(item, { lenientFields: true }) + '\n').join('');
}
