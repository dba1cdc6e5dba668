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

/** Converts a metrics object or list (wire JSON) to a Table. */
export function toTable(obj: any, opts: TableOptions): Table {
  const kind: string = obj.kind;
  if (!TABLE_KINDS.has(kind)) throw new TypeError(`no Table conversion for kind ${JSON.stringify(kind)}`);
  const isList = kind.endsWith('List');
  const itemKind = isList ? kind.slice(0, -'List'.length) : kind;
  const items: any[] = isList ? (obj.items ?? []) : [obj];
  const usageOf = itemKind === 'PodMetrics' ? podUsage : nodeUsage;

  let columnDefinitions: TableColumnDefinition[] | null = null;
  let rows: TableRow[] | null = null;
  // Like Go's nil slice: columns are (re)chosen until an item has usage keys.
  let names: string[] | undefined;
  for (const item of items) {
    const usage = usageOf(item);
    if (names === undefined || names.length === 0) {
      names = [...usage.keys()].sort();
      columnDefinitions = columns(names);
    }
    const cells: unknown[] = [item.metadata?.name ?? ''];
    for (const n of names) cells.push(usage.get(n) ?? '0');
    cells.push(item.window ?? '0s');
    (rows ??= []).push({ cells, object: rowObject(item, itemKind, opts) });
  }

  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: copyListMeta(obj.metadata, isList),
    columnDefinitions,
    rows,
  };
}
