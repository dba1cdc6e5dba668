// Server-side printing: metav1.Table for NodeMetrics/PodMetrics objects and lists,
// with metrics-server's columns (pkg/api/table.go) and the generic server's
// includeObject handling (apiserver endpoints/handlers/response.go asTable).

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are built from untyped wire JSON */

import { badRequest } from './status.js';
import { parseQuantity, QuantitySum, type ParsedQuantity } from './codec/quantity-sum.js';

export type IncludeObject = 'None' | 'Object' | 'Metadata';
export type TableVersion = 'v1' | 'v1beta1';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: Record<string, unknown>;
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[] | null;
}

export interface TableOptions {
  version: TableVersion;
  includeObject: IncludeObject;
}

const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';
export const TABLE_KINDS: ReadonlySet<string> = new Set(['NodeMetrics', 'NodeMetricsList', 'PodMetrics', 'PodMetricsList']);

/** ?includeObject=: absent or empty means Metadata; anything else unknown is a 400 as upstream. */
export function parseIncludeObject(value: string | string[] | undefined): IncludeObject {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(v)}: must be 'Metadata', 'Object', 'None', or empty`,
  );
}

// metrics-server builds CPU as DecimalSI and memory as BinarySI; parsed strings
// lose that (plain digits read as DecimalSI), so the sum restores it.
const USAGE_FORMAT: Record<string, ParsedQuantity['format']> = { cpu: 'DecimalSI', memory: 'BinarySI' };

function columns(names: string[]): TableColumnDefinition[] {
  const cols: TableColumnDefinition[] = [{ name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 }];
  for (const n of names) cols.push({ name: n, type: 'string', format: 'quantity', description: '', priority: 0 });
  cols.push({ name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 });
  return cols;
}

function podUsage(pod: any): Map<string, string> {
  const sums = new Map<string, QuantitySum>();
  for (const c of pod.containers ?? []) {
    for (const [k, v] of Object.entries<string>(c.usage ?? {})) {
      let sum = sums.get(k);
      if (!sum) sums.set(k, (sum = new QuantitySum()));
      const q = parseQuantity(v);
      const format = USAGE_FORMAT[k];
      sum.add(format ? { ...q, format } : q);
    }
  }
  const out = new Map<string, string>();
  for (const [k, s] of sums) out.set(k, s.toString());
  return out;
}

function nodeUsage(node: any): Map<string, string> {
  return new Map(Object.entries<string>(node.usage ?? {}));
}

function rowObject(item: any, itemKind: string, opts: TableOptions): unknown {
  switch (opts.includeObject) {
    case 'None':
      return null;
    case 'Object': {
      // List items carry no TypeMeta; the row object is the full versioned object.
      const { kind: _k, apiVersion: _a, ...rest } = item;
      return { kind: itemKind, apiVersion: METRICS_API_VERSION, ...rest };
    }
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${opts.version}`, metadata: item.metadata ?? {} };
  }
}

function copyListMeta(from: any, continueToo: boolean): Record<string, unknown> {
  const md: Record<string, unknown> = {};
  if (from?.selfLink) md['selfLink'] = from.selfLink;
  if (from?.resourceVersion) md['resourceVersion'] = from.resourceVersion;
  if (continueToo && from?.continue) md['continue'] = from.continue;
  return md;
}

/**
 * A Table built an item at a time (a list of every pod is converted a slice at
 * a time between other requests); toTable() converts a whole object or list.
 */
export class TableBuilder {
  private readonly itemKind: string;
  private readonly usageOf: (item: any) => Map<string, string>;
  private columnDefinitions: TableColumnDefinition[] | null = null;
  private rows: TableRow[] | null = null;
  // Like Go's nil slice: columns are (re)chosen until an item has usage keys.
  private names: string[] | undefined;

  constructor(
    private readonly kind: string,
    private readonly opts: TableOptions,
  ) {
    if (!TABLE_KINDS.has(kind)) throw new TypeError(`no Table conversion for kind ${JSON.stringify(kind)}`);
    this.itemKind = kind.endsWith('List') ? kind.slice(0, -'List'.length) : kind;
    this.usageOf = this.itemKind === 'PodMetrics' ? podUsage : nodeUsage;
  }

  add(item: any): void {
    (this.rows ??= []).push(this.rowOf(item));
  }

  /** An item's row, not kept (for callers that serialize rows as they go); the columns still follow it. */
  rowOf(item: any): TableRow {
    const usage = this.usageOf(item);
    if (this.names === undefined || this.names.length === 0) {
      this.names = [...usage.keys()].sort();
      this.columnDefinitions = columns(this.names);
    }
    const cells: unknown[] = [item.metadata?.name ?? ''];
    for (const n of this.names) cells.push(usage.get(n) ?? '0');
    cells.push(item.window ?? '0s');
    return { cells, object: rowObject(item, this.itemKind, this.opts) };
  }

  /** The Table of the rows add()ed (null when none were); listMeta is the list's metadata (unused for a single object). */
  table(listMeta: unknown): Table {
    return {
      kind: 'Table',
      apiVersion: `meta.k8s.io/${this.opts.version}`,
      metadata: copyListMeta(listMeta, this.kind.endsWith('List')),
      columnDefinitions: this.columnDefinitions,
      rows: this.rows,
    };
  }
}

/** Converts a metrics object or list (wire JSON) to a Table. */
export function toTable(obj: any, opts: TableOptions): Table {
  const kind: string = obj.kind;
  const b = new TableBuilder(kind, opts);
  const items: any[] = kind.endsWith('List') ? (obj.items ?? []) : [obj];
  for (const item of items) b.add(item);
  return b.table(obj.metadata);
}
