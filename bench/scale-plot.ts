// The SVG of bench/scale.ts: one panel per probe, median ms against the number of objects on a
// log axis, a line per side. No library: plain SVG text.

/** One panel per probe: ms against N on a log axis, a line per side. */
export function plot(probes: { name: string }[], results: Map<string, Map<string, number[]>>, LEVELS: number[]): string {
  const W = 330;
  const H = 230;
  const cols = 3;
  const pad = { l: 52, r: 12, t: 28, b: 36 };
  const colour: Record<string, string> = { skiff: '#1f77b4', podman: '#d62728', dockerd: '#2ca02c' };
  const lx = LEVELS.map((n) => Math.log10(n));
  const [x0, x1] = [Math.min(...lx), Math.max(...lx)];
  const out: string[] = [];
  const rows = Math.ceil(probes.length / cols);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W * cols}" height="${H * rows + 30}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  const legend = ['skiff', 'podman', 'dockerd'].map((s, i) => `<g transform="translate(${10 + i * 90},${H * rows + 18})"><line x1="0" y1="-4" x2="20" y2="-4" stroke="${colour[s]}" stroke-width="2"/><text x="25" y="0">${s}</text></g>`);
  out.push(...legend);
  probes.forEach((p, k) => {
    const ox = (k % cols) * W;
    const oy = Math.floor(k / cols) * H;
    const series = [...results.get(p.name)!].filter(([, ms]) => ms.length === LEVELS.length);
    const ymax = Math.max(1, ...series.flatMap(([, ms]) => ms)) * 1.1;
    const X = (n: number) => ox + pad.l + ((Math.log10(n) - x0) / (x1 - x0 || 1)) * (W - pad.l - pad.r);
    const Y = (ms: number) => oy + H - pad.b - (ms / ymax) * (H - pad.t - pad.b);
    out.push(`<text x="${ox + W / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${esc(p.name)}</text>`);
    out.push(`<line x1="${ox + pad.l}" y1="${Y(0)}" x2="${ox + W - pad.r}" y2="${Y(0)}" stroke="#444"/>`);
    out.push(`<line x1="${ox + pad.l}" y1="${Y(0)}" x2="${ox + pad.l}" y2="${oy + pad.t}" stroke="#444"/>`);
    for (const n of LEVELS) out.push(`<text x="${X(n)}" y="${Y(0) + 14}" text-anchor="middle">${n}</text>`);
    out.push(`<text x="${ox + W / 2 + pad.l / 2}" y="${Y(0) + 28}" text-anchor="middle">objects (log)</text>`);
    for (let i = 0; i <= 4; i++) {
      const v = (ymax / 1.1) * (i / 4);
      out.push(`<text x="${ox + pad.l - 4}" y="${Y(v) + 4}" text-anchor="end">${v.toFixed(0)}</text>`);
      out.push(`<line x1="${ox + pad.l}" y1="${Y(v)}" x2="${ox + W - pad.r}" y2="${Y(v)}" stroke="#ddd"/>`);
    }
    out.push(`<text transform="translate(${ox + 12},${oy + H / 2}) rotate(-90)" text-anchor="middle">ms (median)</text>`);
    for (const [s, ms] of series) {
      const pts = ms.map((m, i) => `${X(LEVELS[i]!).toFixed(1)},${Y(m).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${colour[s]}" stroke-width="2"/>`);
      for (const pt of pts.split(' ')) out.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="2.5" fill="${colour[s]}"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
