// The metrics API's public face for app.ts and other folders.

export { createMetricsApi, type MetricsApiDeps } from './routes.js';
export { errorHandler } from './error-handler.js';
export { decodeListOptions, type ListOptions } from './list-options.js';
export { NodeMetricsStorage } from './node-metrics.js';
export { PodMetricsStorage } from './pod-metrics.js';
export { apiGroup, apiGroupList, apiResourceList, type APIGroup, type APIGroupList, type APIResource, type APIResourceList } from './discovery.js';
export { formatTime, nodeMetrics, podMetrics, nodeMetricsList, podMetricsList, asNodeMetricsObject, asPodMetricsObject } from './objects.js';
export { cpuQuantity, memoryQuantity, formatQuantity, type QuantityFormat } from './quantity.js';
export * from './types.js';
export * from './selectors/index.js';
