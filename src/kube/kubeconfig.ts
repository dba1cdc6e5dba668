// KubeConfig from a file or, when none is given, the pod's service account.
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (path) {
    kc.loadFromFile(path);
  } else {
    // client-node builds an invalid URL rather than failing when these are unset.
    if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) {
      throw new Error('not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset); pass --kubeconfig');
    }
    kc.loadFromCluster();
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${path ?? '(in-cluster)'} has no current cluster`);
  try {
    new URL(cluster.server);
  } catch {
    throw new Error(`kubeconfig ${path ?? '(in-cluster)'}: cluster ${cluster.name} has an invalid server URL ${JSON.stringify(cluster.server)}`);
  }
  return kc;
}
