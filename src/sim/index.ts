// The simulated cluster's public face, for the demo, end-to-end tests and benchmarks.
export { startSimCluster, writeKubeconfigFile, AUTH_CONFIGMAP, type SimCluster, type SimClusterOptions, type SimUser, type SimPkiFiles, type ExpectedUsage } from './cluster.js';
export { startMetricsServerProcess, freePort, adminGet, type MetricsServerProcess, type MetricsServerProcessOptions } from './metrics-server-process.js';
export { findKubectl, type KubectlFound, type KubectlMissing } from './kubectl.js';
export { findHelm, type HelmFound, type HelmMissing } from './helm.js';
export { UsageModel, type SimNode, type SimPod, type SimContainer } from './model.js';
export type { KubeletFault, KubeletReplay } from './kubelets.js';
export type { ServiceTarget } from './aggregator.js';
export type { Binding, PolicyRule, UserInfo } from './policy.js';
