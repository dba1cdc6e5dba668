// What the store keeps: one entry per node, holding one per pod it reported (its
// containers side by side in one array of numbers), so a tick of an unchanged pod
// rewrites numbers in place and allocates nothing.

import type { Slots } from './layout.js';

export interface NodeEntry {
  readonly kind: 'node';
  readonly name: string;
  /** LAST and PREV of the node point (layout.ts). */
  readonly data: Slots;
  /** False when the node's latest scrape had no complete node point. */
  hasPoint: boolean;
  /** Pods the node reported in its latest scrape (to forget pods it stops reporting). */
  pods: PodEntry[];
  /** The array pods was in the tick before (reused for the next tick's pods). */
  spare: PodEntry[];
  /** Containers of `pods` when last stored: with the node itself, its weight against the series cap. */
  series: number;
  /** store() tick that last saw this node. */
  seenTick: number;
  /** False once removed from the cache (entries may still be referenced). */
  live: boolean;
}

export interface PodEntry {
  readonly kind: 'pod';
  /** Rewritten only when a dropped entry is reused for a new pod (it is out of the index then). */
  namespace: string;
  name: string;
  /** Node whose scrape last reported the pod. */
  node: string;
  /** Container names in the order of the latest scrape. */
  names: string[];
  /** STRIDE slots per container, same order as names. */
  data: Slots;
  /** Containers with a previous point. */
  prevCount: number;
  seenTick: number;
  live: boolean;
}

export type Entry = NodeEntry | PodEntry;
