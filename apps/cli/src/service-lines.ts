import type { ServiceStatus } from '@mirage/local-stack';

/** Left-aligned columns, so status output lines up without a table library. */
export function columns(rows: string[][]): string {
  const widths = rows.reduce<number[]>((acc, row) => row.map((cell, i) => Math.max(acc[i] ?? 0, cell.length)), []);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The address column: the client address, plus the web UI where there is one. */
export function addressOf(service: Pick<ServiceStatus, 'address' | 'uiUrl'>): string {
  return service.uiUrl ? `${service.address}  (ui ${service.uiUrl})` : service.address;
}

export const pidOf = (pid: number | null): string => (pid === null ? '-' : String(pid));
