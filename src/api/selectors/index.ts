// Label and field selectors, parsed and matched as k8s.io/apimachinery does.

export { SelectorError } from './errors.js';
export {
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  parseLabelSelector,
  everything,
  andSelectors,
  requirementMatches,
  requirementString,
} from './labels.js';
export {
  type FieldRequirement,
  type FieldSelector,
  parseFieldSelector,
  transformFieldSelector,
  requiresExactMatch,
  escapeFieldValue,
  unescapeFieldValue,
} from './fields.js';
export { isLabelKey, isLabelValue } from './validation.js';
