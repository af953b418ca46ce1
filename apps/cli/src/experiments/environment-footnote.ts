import { RunEnvironment } from '@mirage/contracts';
import { listEvalResults, type Db } from '@mirage/db';

/**
 * Footnote lines naming every environment the table's cells were computed under (libraries, CUDA, GPU), and, for a
 * sweep that reuses cells across environments, saying so. Markdown and LaTeX only (as a LaTeX comment block).
 */
export async function environmentFootnote(
  db: Db,
  runIds: readonly string[],
  reuseAcross: boolean,
  format: 'md' | 'latex' | 'csv',
): Promise<string> {
  const rows = await listEvalResults(db, { runIds });
  const seen = new Map<string, string>();
  for (const row of rows) {
    const parsed = RunEnvironment.safeParse(row.environment);
    if (!parsed.success) continue;
    const e = parsed.data;
    const text = `Python ${e.python}, torch ${e.torch}, transformers ${e.transformers}, numpy ${e.numpy}, Pillow ${e.pillow}, ${e.cuda ? `CUDA ${e.cuda} / cuDNN ${e.cudnn} on ${e.gpu} (driver ${e.driver})` : 'CPU'}${e.lock_sha256 ? `, lock ${e.lock_sha256.slice(0, 12)}` : ''}`;
    seen.set(text, text);
  }
  const lines = [...seen.keys()].sort().map((t) => `Environment: ${t}.`);
  if (rows.some((r) => !RunEnvironment.safeParse(r.environment).success))
    lines.push('Environment: some cells were recorded before environments were.');
  if (reuseAcross)
    lines.push('Cells computed under other library versions were reused (reuse_across_environments: true).');
  if (format === 'csv' || lines.length === 0) return '';
  return format === 'md'
    ? `\n${lines.map((l) => `_${l}_`).join('\n\n')}\n`
    : `${lines.map((l) => `% ${l}`).join('\n')}\n`;
}
