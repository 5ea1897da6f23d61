import { formatAccuracy, formatCount } from '../format';
import type { PlanAnswer, PlanAnswerRow } from './plan-answer';

/** One column of the answer's table: its heading, whether it holds numbers, and its cell. */
export interface AnswerColumn {
  heading: string;
  numeric: boolean;
  cell(row: PlanAnswerRow): string;
}

/** "0.852", or "0.852 (0.840–0.860)" over several seeds: the spread is the error bar. */
function accuracyCell(value: number | null, range: [number, number] | null, seeds: number): string {
  if (value === null) return '—';
  return range && seeds > 1 ? `${formatAccuracy(value)} (${formatAccuracy(range[0])}–${formatAccuracy(range[1])})` : formatAccuracy(value);
}

function statusCell(row: PlanAnswerRow): string {
  const parts = [
    row.seeds.length ? `${row.seeds.length} finished` : '',
    row.pending ? `${row.pending} to come` : '',
    row.unfinished ? `${row.unfinished} stopped` : '',
  ].filter(Boolean);
  return parts.join(', ') || '—';
}

/**
 * The answer's table, the same columns in the Plans view and `plans show`:
 * the plan's variable, then final and best test accuracy, seconds per epoch and parameters.
 */
export function answerColumns(answer: Pick<PlanAnswer, 'variable'>): AnswerColumn[] {
  const name = answer.variable === 'image size' ? 'Image size' : answer.variable === 'depth' ? 'Depth' : 'Network';
  return [
    { heading: name, numeric: false, cell: (row) => `${row.label}${row.baseline ? ' (baseline)' : ''}` },
    { heading: 'Final test acc.', numeric: true, cell: (row) => accuracyCell(row.finalTestAcc, row.finalTestAccRange, row.seeds.length) },
    { heading: 'Best test acc.', numeric: true, cell: (row) => formatAccuracy(row.bestTestAcc) },
    { heading: 's / epoch', numeric: true, cell: (row) => (row.secondsPerEpoch === null ? '—' : row.secondsPerEpoch.toFixed(1)) },
    { heading: 'Parameters', numeric: true, cell: (row) => formatCount(row.params) },
    { heading: 'Seeds', numeric: true, cell: (row) => (row.seeds.length ? row.seeds.join(', ') : '—') },
    { heading: 'Runs', numeric: false, cell: statusCell },
  ];
}
