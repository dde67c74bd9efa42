// Printing tables, collecting target verdicts and writing the JSON result file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';

export type Cell = string | number | boolean | null | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

export interface TargetVerdict {
  section: string;
  target: string;
  met: boolean;
  detail: string;
}

function format(cell: Cell): string {
  if (cell === null || cell === undefined) return '–';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return String(cell);
    if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
    const abs = Math.abs(cell);
    const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
    return cell.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }
  return cell;
}

const isNumeric = (cell: Cell) => typeof cell === 'number';

/** A plain-text table (also valid Markdown, so the README can quote it as printed). */
export function renderTable(table: Table): string {
  const cells = table.rows.map((row) => row.map(format));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[], numeric: boolean[]) =>
    `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const numericColumn = table.columns.map(
    (_, i) => table.rows.length > 0 && table.rows.every((r) => isNumeric(r[i]) || r[i] == null),
  );
  const out = [
    `### ${table.title}`,
    '',
    line(
      table.columns,
      table.columns.map(() => false),
    ),
    `|${widths.map((w, i) => (numericColumn[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...table.rows.map((_, r) => line(cells[r]!, table.rows[r]!.map(isNumeric))),
  ];
  for (const note of table.notes ?? []) out.push('', `> ${note}`);
  return out.join('\n');
}

export class Report {
  readonly tables: Record<string, Table[]> = {};
  readonly data: Record<string, unknown> = {};
  readonly targets: TargetVerdict[] = [];
  readonly errors: { section: string; error: string }[] = [];

  table(section: string, table: Table): void {
    (this.tables[section] ??= []).push(table);
    console.log(`\n${renderTable(table)}`);
  }

  target(verdict: TargetVerdict): void {
    this.targets.push(verdict);
    const mark = verdict.met ? 'MET   ' : 'MISSED';
    console.log(
      `${verdict.met ? '  ✓' : '  ✗'} target ${mark} [${verdict.section}] ${verdict.target}: ${verdict.detail}`,
    );
  }

  note(message: string): void {
    console.log(message);
  }

  printTargets(): void {
    const missed = this.targets.filter((t) => !t.met);
    console.log(`\n## Targets: ${this.targets.length - missed.length} met, ${missed.length} missed`);
    for (const t of this.targets)
      console.log(`${t.met ? '  ✓ met   ' : '  ✗ MISSED'} [${t.section}] ${t.target} — ${t.detail}`);
    for (const e of this.errors) console.log(`  ! section ${e.section} failed: ${e.error}`);
  }

  write(dir: string, meta: Record<string, unknown>): string {
    mkdirSync(dir, { recursive: true });
    const body = JSON.stringify(
      { ...meta, machine: machine(), targets: this.targets, errors: this.errors, tables: this.tables, data: this.data },
      null,
      2,
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(dir, `bench-${meta.mode as string}-${stamp}.json`);
    writeFileSync(file, body);
    writeFileSync(join(dir, `latest-${meta.mode as string}.json`), body);
    return file;
  }
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}
