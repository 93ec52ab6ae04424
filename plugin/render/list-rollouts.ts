// `kubectl argo rollouts list rollouts` table (../shared/spec/cli-dashboard-ops.md §1.5.3).
// Each value is first left-justified to a fixed width (the original's Printf format), then the
// lines go through the tab writer; the header is not pre-padded, and the last column is not
// aligned, so rows keep the fixed-width trailing spaces.
import type { RolloutInfo } from '../info/types.ts';
import { tabwrite } from './tabwriter.ts';

export interface ListOptions {
  allNamespaces: boolean;
  timestamps: boolean;
  now: Date;
}

/** A row's values before padding; two rows are "the same" for `--watch` when these are equal. */
export interface RolloutRow {
  namespace: string;
  name: string;
  strategy: string;
  status: string;
  step: string;
  setWeight: string;
  ready: string;
  desired: number;
  upToDate: number;
  available: number;
}

export function rolloutRow(info: RolloutInfo): RolloutRow {
  return {
    namespace: info.objectMeta.namespace,
    name: info.objectMeta.name,
    strategy: info.strategy || 'unknown',
    status: info.status,
    step: info.step || '-',
    setWeight: info.strategy === 'Canary' ? info.setWeight : '-',
    ready: `${info.ready}/${info.current}`,
    desired: info.desired,
    upToDate: info.updated,
    available: info.available,
  };
}

export function rowsEqual(a: RolloutRow, b: RolloutRow): boolean {
  return (Object.keys(a) as (keyof RolloutRow)[]).every((k) => a[k] === b[k]);
}

/** The header line, tab-separated, with its newline. */
export function rolloutListHeader(opts: Omit<ListOptions, 'now'>): string {
  const cols = ['NAME', 'STRATEGY', 'STATUS', 'STEP', 'SET-WEIGHT', 'READY', 'DESIRED'];
  cols.push('UP-TO-DATE', 'AVAILABLE');
  if (opts.allNamespaces) cols.unshift('NAMESPACE');
  if (opts.timestamps) cols.unshift('TIMESTAMP');
  return cols.join('\t') + '\n';
}

/** One row, tab-separated, with its newline; feed a batch of these to `tabwrite`. */
export function rolloutListLine(row: RolloutRow, opts: ListOptions): string {
  const cells = [
    pad(row.name, 10),
    pad(row.strategy, 9),
    pad(row.status, 12),
    pad(row.step, 4),
    pad(row.setWeight, 10),
    pad(row.ready, 5),
    pad(String(row.desired), 7),
    pad(String(row.upToDate), 10),
    pad(String(row.available), 9),
  ];
  if (opts.allNamespaces) cells.unshift(pad(row.namespace, 9));
  if (opts.timestamps) cells.unshift(pad(utcSeconds(opts.now), 20));
  return cells.join('\t') + '\n';
}

/** The whole table: header plus one row per rollout, aligned. */
export function renderRolloutRows(infos: readonly RolloutInfo[], opts: ListOptions): string {
  const text =
    rolloutListHeader(opts) + infos.map((i) => rolloutListLine(rolloutRow(i), opts)).join('');
  return tabwrite(text, { minwidth: 0, padding: 2 });
}

/** Go's `%-Ns`: pad to N code points, never truncate. */
function pad(s: string, width: number): string {
  const n = [...s].length;
  return n >= width ? s : s + ' '.repeat(width - n);
}

function utcSeconds(d: Date): string {
  return d.toISOString().slice(0, 19) + 'Z';
}
