/** Reading and building the raw (unshaped) data a plan run starts from, by response path. */
export type ResponsePath = (string | number)[];
export type Raw = Record<string, unknown>;

/** Every object at a query path in raw data, lists expanded, with its response path. */
export function itemsAt(raw: unknown, queryPath: readonly string[]): { value: Raw; path: ResponsePath }[] {
  const found: { value: Raw; path: ResponsePath }[] = [];
  const walk = (value: unknown, rest: readonly string[], path: ResponsePath) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, rest, [...path, i]));
    if (typeof value !== 'object') return;
    const [step, ...more] = rest;
    if (step === undefined) return void found.push({ value: value as Raw, path });
    if (step.startsWith('... on ')) return walk(value, more, path);
    walk((value as Raw)[step], more, [...path, step]);
  };
  walk(raw, queryPath, []);
  return found;
}

export function valueAt(data: unknown, path: ResponsePath): unknown {
  let value = data;
  for (const step of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

/** `{ malls: [value] }` for the path `malls.0`: the value alone where the plan expects it. */
export function nestAt(path: ResponsePath, value: unknown): Raw {
  let nested: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) nested = typeof path[i] === 'number' ? [nested] : { [path[i] as string]: nested };
  return nested as Raw;
}

export function startsWith(path: ResponsePath, prefix: ResponsePath): boolean {
  return prefix.length <= path.length && prefix.every((step, i) => path[i] === step);
}

/**
 * Where items of one deferred fragment sit when several run together: their
 * path with every list index 0 but the last, which is the item's place in
 * the batch. `{ malls: [a, b] }` for `malls.0`; without a list, one item only.
 */
export interface BatchLayout {
  /** The item's path in a run of its own (every list index 0). */
  single: ResponsePath;
  /** The position of the list index items are batched at; -1 when the path has none. */
  at: number;
}

export function batchLayout(itemPath: ResponsePath): BatchLayout {
  const single = itemPath.map((step) => (typeof step === 'number' ? 0 : step));
  let at = -1;
  itemPath.forEach((step, i) => {
    if (typeof step === 'number') at = i;
  });
  return { single, at };
}

export function batchPath(layout: BatchLayout, index: number): ResponsePath {
  if (layout.at === -1) return layout.single;
  const path = [...layout.single];
  path[layout.at] = index;
  return path;
}

/** The raw data holding `values` at their batch paths. */
export function batchSeed(layout: BatchLayout, values: readonly Raw[]): Raw {
  if (layout.at === -1) return nestAt(layout.single, values[0]);
  const below = layout.single.slice(layout.at + 1);
  return nestAt(
    layout.single.slice(0, layout.at),
    values.map((value) => nestAt(below, value)),
  );
}
