// tap's own YAML output marks the shared YAML 1.1 timestamp type of the `yaml`
// library as not implicit, so that under tap the library writes timestamps
// unquoted, where the server (which runs without tap) quotes them as
// sigs.k8s.io/yaml does. Imported after tap and before the code under test,
// this undoes it for a test file.
import { Document } from 'yaml';

const timestamp = new Document(null, { version: '1.1' }).schema.tags.find((tag) => tag.tag === 'tag:yaml.org,2002:timestamp');
if (!timestamp) throw new Error('yaml: no YAML 1.1 timestamp type');
timestamp.default = true;
