// application/yaml as sigs.k8s.io/yaml writes it: the JSON form re-emitted as
// YAML 1.1 with map keys sorted and sequences not indented under their key.

import { stringify } from 'yaml';

export const YAML_MEDIA_TYPE = 'application/yaml';

export function encodeYaml(obj: unknown): string {
  return stringify(obj, { sortMapEntries: true, indentSeq: false, version: '1.1', lineWidth: 0 });
}
