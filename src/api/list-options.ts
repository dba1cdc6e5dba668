// Query parameters of a list request, decoded and validated in the order GAS's
// ListResource does: int parsing, selector parsing (400), ListOptions validation
// (422), field-label conversion (400). limit, continue and timeoutSeconds are
// accepted and ignored, as metrics-server ignores them.

import { goQuote } from '../util/go-quote.js';
import { everything, parseFieldSelector, parseLabelSelector, SelectorError, transformFieldSelector, type FieldSelector, type LabelSelector } from './selectors/index.js';
import { badRequest, invalid, type StatusCause } from './status.js';

export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** watch=… present and not "0"/"false": the caller answers 405. */
  watch: boolean;
}

export type Query = Readonly<Record<string, string | string[] | undefined>>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The first value, as Go's url.Values.Get and the conversion functions take it. */
function first(query: Query, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[0] : v;
}

/** runtime.Convert_Slice_string_To_int64: trimmed, base 10, int64; empty means unset. */
function checkInt64(query: Query, key: string): void {
  const raw = first(query, key);
  if (raw === undefined) return;
  const s = raw.trim();
  if (s === '') return;
  if (!/^[+-]?[0-9]+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
}

/** runtime.Convert_Slice_string_To_bool: present and not "0"/"false" (any case) is true. */
function goBool(query: Query, key: string): boolean {
  const v = first(query, key);
  if (v === undefined) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Selector errors become 400 BadRequest with the parser's text as the message. */
function asBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

interface FieldError {
  field: string;
  type: 'FieldValueForbidden' | 'FieldValueNotSupported';
  body: string;
}

function forbidden(field: string, detail: string): FieldError {
  return { field, type: 'FieldValueForbidden', body: `Forbidden: ${detail}` };
}

/** metainternalversion validation.ValidateListOptions for a plain list. */
function validateListOptions(query: Query): FieldError[] {
  const errs: FieldError[] = [];
  const rv = first(query, 'resourceVersion') ?? '';
  const match = first(query, 'resourceVersionMatch') ?? '';
  const cont = first(query, 'continue') ?? '';
  if (match !== '') {
    if (rv === '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (cont !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errs.push({
        field: 'resourceVersionMatch',
        type: 'FieldValueNotSupported',
        body: `Unsupported value: ${goQuote(match)}: supported values: "Exact", "NotOlderThan", ""`,
      });
    }
    if (match === 'Exact' && rv === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (query['sendInitialEvents'] !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

/**
 * validateWatchOptions, with the WatchList feature gate on (its default in the
 * apiserver library metrics-server builds on). Errors here win over the 405.
 */
function validateWatchOptions(query: Query): FieldError[] {
  const errs: FieldError[] = [];
  const match = first(query, 'resourceVersionMatch') ?? '';
  const sendInitialEvents = query['sendInitialEvents'] !== undefined;
  if (sendInitialEvents && match !== 'NotOlderThan') {
    errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match !== '') {
    if (!sendInitialEvents) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') {
      errs.push({ field: 'resourceVersionMatch', type: 'FieldValueNotSupported', body: `Unsupported value: ${goQuote(match)}: supported values: "NotOlderThan"` });
    }
    if ((first(query, 'continue') ?? '') !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return errs;
}

/** errors.NewInvalid(ListOptions.meta.k8s.io, "", errs). */
function invalidListOptions(errs: FieldError[]): Error {
  const messages = [...new Set(errs.map((e) => `${e.field}: ${e.body}`))];
  const aggregate = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
  return invalid(`ListOptions.meta.k8s.io "" is invalid: ${aggregate}`, { group: 'meta.k8s.io', kind: 'ListOptions', causes });
}

/** The metrics kinds register no field-label conversions, so only GAS's defaults apply. */
function convertFieldLabel(field: string, value: string): [string, string] {
  if (field === 'metadata.name' || field === 'metadata.namespace') return [field, value];
  throw new SelectorError(`${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
}

/** Decodes and validates a list request's query; throws StatusError (400/422). */
export function decodeListOptions(query: Query): ListOptions {
  checkInt64(query, 'timeoutSeconds');
  checkInt64(query, 'limit');
  const rawLabels = first(query, 'labelSelector');
  const rawFields = first(query, 'fieldSelector') ?? '';
  const labelSelector = rawLabels === undefined ? everything() : asBadRequest(() => parseLabelSelector(rawLabels));
  let fieldSelector = asBadRequest(() => parseFieldSelector(rawFields));
  const watch = goBool(query, 'watch');
  const errs = watch ? validateWatchOptions(query) : validateListOptions(query);
  if (errs.length > 0) throw invalidListOptions(errs);
  const parsed = fieldSelector;
  fieldSelector = asBadRequest(() => transformFieldSelector(parsed, convertFieldLabel));
  return { labelSelector, fieldSelector, watch };
}
