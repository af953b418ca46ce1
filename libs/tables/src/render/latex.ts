import type { TableModel } from '../model';
import { captionText, cellText, tableNotes, type CellText } from '../presentation';

// Text-mode replacements for every character LaTeX treats specially, plus the Unicode marks our own notes use, so
// the output compiles with any input encoding. Applied in one pass, so a replacement is never escaped again.
const LATEX_ESCAPES: Record<string, string> = {
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '\\': '\\textbackslash{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '±': '$\\pm$',
  '−': '$-$',
  '—': '---',
  '–': '--',
  '†': '$^\\dagger$',
  '\n': ' ',
  '\r': ' ',
};

/** Escapes user text for LaTeX text mode: & % $ # _ { } ~ ^ \ < > | and the Unicode marks of the notes. */
export function escapeLatex(text: string): string {
  return text.replace(/\r\n/g, ' ').replace(/[&%$#_{}~^\\<>|±−—–†\n\r]/g, (ch) => LATEX_ESCAPES[ch] ?? ch);
}

function signed(text: string): string {
  return text.startsWith('-') ? `$-$${text.slice(1)}` : text;
}

function formatCell(parts: CellText): string {
  if (parts.value === null) return '---';
  const value = signed(parts.value);
  const std = parts.std === null ? '' : ` $\\pm$ ${parts.std}`;
  const shown = parts.best ? `\\textbf{${value}${std}}` : `${value}${std}`;
  const mark = parts.incomplete ? '$^\\dagger$' : '';
  const delta = parts.delta === null ? '' : ` (${signed(parts.delta)})`;
  return `${shown}${mark}${delta}`;
}

/**
 * Renders a booktabs tabular inside a table environment with caption and label (needs \usepackage{booktabs}).
 * Every user string is escaped; the best value of each column is in \textbf; the notes follow the tabular in
 * \footnotesize. LF line ends, one trailing newline.
 */
export function renderLatex(model: TableModel): string {
  const header = ['Method', ...model.columns.map((c) => c.label)].map(escapeLatex).join(' & ');
  const body = model.rows.map((row) => {
    const cells = row.cells.map((cell) => formatCell(cellText(cell, model.digits)));
    return `    ${[escapeLatex(row.label), ...cells].join(' & ')} \\\\`;
  });
  const lines = [
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${escapeLatex(captionText(model))}}`,
    `  \\label{${escapeLatex(model.label)}}`,
    `  \\begin{tabular}{l${'r'.repeat(model.columns.length)}}`,
    '    \\toprule',
    `    ${header} \\\\`,
    '    \\midrule',
    ...body,
    '    \\bottomrule',
    '  \\end{tabular}',
    '',
    '  \\smallskip',
    `  {\\footnotesize ${tableNotes(model).map(escapeLatex).join(' ')}\\par}`,
    '\\end{table}',
  ];
  return `${lines.join('\n')}\n`;
}
