import type { Comparison } from './summary.ts';

const WIDTH = 920;
const COLORS = { service: '#d95f02', minimal: '#1b9e77' } as const;
const PANEL_HEIGHT = 190;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const label = (value: number): string =>
  !Number.isFinite(value) ? '-' : value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

interface Group {
  name: string;
  service: number;
  minimal: number;
}

/** A bar panel: groups of two bars (service, minimal) on a linear scale from 0, values printed above the bars. */
function panel(x: number, y: number, width: number, title: string, unit: string, groups: Group[]): string {
  const top = y + 28;
  const bottom = y + PANEL_HEIGHT - 24;
  const finite = groups.flatMap((g) => [g.service, g.minimal]).filter(Number.isFinite);
  const max = Math.max(...finite, Number.MIN_VALUE) * 1.15;
  const scale = (value: number) => (Number.isFinite(value) ? ((bottom - top) * value) / max : 0);
  const slot = width / groups.length;
  const bar = Math.min(28, slot / 3);
  const parts = [
    `<text x="${x + width / 2}" y="${y + 14}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<text x="${x}" y="${y + 24}" font-size="10" fill="#555">${escape(unit)}</text>`,
    `<line x1="${x}" y1="${bottom}" x2="${x + width}" y2="${bottom}" stroke="#999"/>`,
  ];
  groups.forEach((group, index) => {
    const center = x + slot * index + slot / 2;
    (['service', 'minimal'] as const).forEach((name, side) => {
      const height = scale(group[name]);
      const left = center - bar + side * bar;
      parts.push(
        `<rect x="${left.toFixed(1)}" y="${(bottom - height).toFixed(1)}" width="${(bar - 2).toFixed(1)}" ` +
          `height="${height.toFixed(1)}" fill="${COLORS[name]}"><title>${name} ${group.name}: ${label(group[name])} ${escape(unit)}</title></rect>`,
        `<text x="${(left + bar / 2 - 1).toFixed(1)}" y="${(bottom - height - 3).toFixed(1)}" font-size="9" ` +
          `text-anchor="middle">${label(group[name])}</text>`,
      );
    });
    parts.push(
      `<text x="${center}" y="${bottom + 14}" font-size="10" text-anchor="middle">${escape(group.name)}</text>`,
    );
  });
  return parts.join('\n');
}

/** The bench's chart: latency percentiles per cell, then CPU per request per cell; service against minimal. */
export function chart(comparisons: Comparison[]): string {
  const margin = 20;
  const columns = Math.max(1, comparisons.length);
  const panelWidth = (WIDTH - margin * (columns + 1)) / columns;
  const latency = comparisons.map(({ cell, service, minimal }, index) =>
    panel(
      margin + index * (panelWidth + margin),
      40,
      panelWidth,
      `${cell.delayMs} ms third party, ${cell.connections} conn.`,
      'latency, ms',
      [
        { name: 'p50', service: service.latencyMs.p50, minimal: minimal.latencyMs.p50 },
        { name: 'p90', service: service.latencyMs.p90, minimal: minimal.latencyMs.p90 },
        { name: 'p99', service: service.latencyMs.p99, minimal: minimal.latencyMs.p99 },
      ],
    ),
  );
  const cpu = panel(
    margin,
    40 + PANEL_HEIGHT + 20,
    WIDTH - 2 * margin,
    'App CPU time per request',
    'ms of CPU (user + system) per request',
    comparisons.map(({ cell, service, minimal }) => ({
      name: `${cell.delayMs} ms, ${cell.connections} conn.`,
      service: service.cpuMsPerRequest,
      minimal: minimal.cpuMsPerRequest,
    })),
  );
  const height = 40 + 2 * PANEL_HEIGHT + 40;
  const legend = (['service', 'minimal'] as const)
    .map((name, index) => {
      const x = margin + index * 110;
      return `<rect x="${x}" y="12" width="12" height="12" fill="${COLORS[name]}"/><text x="${x + 16}" y="22">${name}</text>`;
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      'font-family="sans-serif" font-size="12">',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    legend,
    `<text x="${WIDTH - margin}" y="22" text-anchor="end" font-size="11" fill="#555">GET /api/v1/getcode, lower is better</text>`,
    ...latency,
    cpu,
    '</svg>',
    '',
  ].join('\n');
}
