// The store's public face.
export { DEFAULT_STALE_TICKS, MetricsStore, type MetricsStoreOptions } from './metrics-store.js';
