// Temporal search attributes of sweeps and runs, so a lab can list them in Temporal (`temporal workflow list
// --query "MirageExperiment='...'"`, the Web UI's filter). Plain data and pure functions, no zod and no runtime
// import of the SDK: workflow code reads these through '@mirage/contracts/workflow'. The keys are what
// `defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)` returns.
import type { SearchAttributePair, TypedSearchAttributes } from '@temporalio/common';

/** A Keyword attribute's key (the SDK's SearchAttributeKey<'KEYWORD'>, which its index does not export). */
type KeywordKey = Extract<SearchAttributePair, { key: { type: 'KEYWORD' } }>['key'];

/** The attributes, all Keyword: the experiment's name, the sweep id, a run's method (runs only), who launched it. */
export const SEARCH_ATTRIBUTES = {
  experiment: { name: 'MirageExperiment', type: 'KEYWORD' },
  sweep: { name: 'MirageSweep', type: 'KEYWORD' },
  method: { name: 'MirageMethod', type: 'KEYWORD' },
  user: { name: 'MirageUser', type: 'KEYWORD' },
} as const satisfies Record<string, KeywordKey>;

/** Every attribute's name, in the order the dev server registers them and messages list them. */
export const SEARCH_ATTRIBUTE_NAMES: readonly string[] = Object.values(SEARCH_ATTRIBUTES).map((key) => key.name);

/** `temporal server start-dev` flags registering every attribute (`--search-attribute MirageExperiment=Keyword`). */
export function devServerSearchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

/**
 * The command that registers every attribute on a Temporal server that was started without them. Each name has its
 * own `--type`: CLI 1.9 registers only the first of several names given one `--type`.
 */
export function createSearchAttributesCommand(namespace: string): string {
  return `temporal operator search-attribute create --namespace ${namespace} ${SEARCH_ATTRIBUTE_NAMES.map((name) => `--name ${name} --type Keyword`).join(' ')}`;
}

/** A sweep's attributes, set by `mirage launch` when it starts the sweep workflow. */
export function sweepSearchAttributes(input: {
  experiment: string;
  sweepId: string;
  user: string;
}): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTES.experiment, value: input.experiment },
    { key: SEARCH_ATTRIBUTES.sweep, value: input.sweepId },
    { key: SEARCH_ATTRIBUTES.user, value: input.user },
  ];
}

/** What a sweep's own attributes are read through: workflowInfo().typedSearchAttributes. */
export type SearchAttributeReader = Pick<TypedSearchAttributes, 'get'>;

/**
 * A run's attributes: the sweep's experiment, id and user, which the run inherits from the sweep's own, and the
 * run's method. A sweep that carries no sweep id was started without attributes (the server has none registered,
 * `mirage launch` fell back): its runs carry none either, since a child start naming an unregistered attribute
 * would fail the sweep's workflow task on every retry.
 */
export function runSearchAttributes(sweep: SearchAttributeReader, method: string): SearchAttributePair[] | undefined {
  const sweepId = sweep.get(SEARCH_ATTRIBUTES.sweep);
  if (sweepId === undefined) return undefined;
  const pairs: SearchAttributePair[] = [{ key: SEARCH_ATTRIBUTES.sweep, value: sweepId }];
  for (const key of [SEARCH_ATTRIBUTES.experiment, SEARCH_ATTRIBUTES.user]) {
    const value = sweep.get(key);
    if (value !== undefined) pairs.push({ key, value });
  }
  pairs.push({ key: SEARCH_ATTRIBUTES.method, value: method });
  return pairs;
}
