// Loading and schema-checking the manifests under deploy/, shared by the deploy tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1/APIService';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { repoRoot } from '../helpers/paths.js';

export const MANIFESTS = ['components.yaml', 'high-availability.yaml'] as const;
export type ManifestName = (typeof MANIFESTS)[number];

/** A Kubernetes object as read from YAML: only the type fields are assumed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface ModelClass {
  new (data: never): { validate(): void };
  prototype: { validate(): void };
}

/** The schema model for each apiVersion/kind the manifests may contain. */
export const MODELS: Record<string, ModelClass> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiregistration.k8s.io/v1/APIService': APIService,
};

export function manifestPath(name: ManifestName): string {
  return join(repoRoot, 'deploy', name);
}

/** Parses a multi-document YAML text; throws on the first syntax error or warning. */
export function parseManifestText(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, strict: true })) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // empty document (comment only)
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`document is not a mapping: ${JSON.stringify(value)}`);
    out.push(value as KubeObject);
  }
  return out;
}

export function loadManifest(name: ManifestName): KubeObject[] {
  return parseManifestText(readFileSync(manifestPath(name), 'utf8'));
}

export function modelFor(obj: KubeObject): ModelClass {
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) throw new Error(`no schema model for ${obj.apiVersion} ${obj.kind}`);
  return model;
}

/** Validates against the Kubernetes OpenAPI schema; throws the library's ValidationError. */
export function validateObject(obj: KubeObject): void {
  const Model = modelFor(obj);
  new Model(obj as never).validate();
}

/**
 * Fields the schema does not know, as paths like `spec.template.spec.containers[0].readinesProbe`.
 *
 * The schema validators of kubernetes-models accept unknown fields (kube-apiserver
 * rejects them under kubectl's default strict field validation, or drops them
 * silently with older clients). A validator reads every field its schema
 * declares, so every field it never reads is unknown: the object is validated
 * through proxies that record which properties were read.
 */
export function unknownFields(obj: KubeObject): string[] {
  const Model = modelFor(obj);
  const read = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const known = proxies.get(value);
    if (known) return known;
    const seen = new Set<PropertyKey>();
    read.set(value, seen);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        seen.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const copy = structuredClone(obj);
  Model.prototype.validate.call(wrap(copy));

  const unknown: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    const seen = read.get(value);
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (!seen?.has(key)) unknown.push(at);
      else walk(child, at);
    }
  };
  walk(copy, '');
  return unknown;
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const hits = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
  return hits[0]!;
}

export function deploymentOf(objects: KubeObject[]): IDeployment {
  return find(objects, 'Deployment', 'metrics-server') as unknown as IDeployment;
}

export function serverContainer(deployment: IDeployment): IContainer {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const c = containers.find((x) => x.name === 'metrics-server');
  if (!c) throw new Error('no metrics-server container');
  return c;
}
