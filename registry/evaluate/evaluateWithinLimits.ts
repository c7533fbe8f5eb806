import { checkSubgraphLimits, SUPERGRAPH_LIMITS, type SdlFigures } from './checkSubgraphLimits.ts';
import { evaluateChange, type Verdict } from './evaluateChange.ts';

export type LimitedVerdict = Verdict | { ok: false; reason: 'limits'; errors: string[] };

/**
 * evaluateChange behind the publish limits: a subgraph over its own limits,
 * or one that would take the supergraph past its totals, is refused before
 * anything is composed. Takes evaluateChange's parameters as they are, so a
 * rule added there passes through.
 */
export function evaluateWithinLimits(...args: Parameters<typeof evaluateChange>): LimitedVerdict {
  const [current, change] = args;
  if (change.action === 'publish') {
    const own = checkSubgraphLimits(change.subgraph.name, change.subgraph.sdl);
    if (own.error) return { ok: false, reason: 'limits', errors: [own.error] };
    const figures = new Map(current.subgraphs.map((s) => [s.name, checkSubgraphLimits(s.name, s.sdl).figures]));
    const before = total([...figures.values()]);
    figures.set(change.subgraph.name, own.figures);
    const after = total([...figures.values()]);
    // A change that does not grow the supergraph always goes through, so a registry already past a total can shrink.
    const grows = (key: keyof SdlFigures) => after[key] > SUPERGRAPH_LIMITS[key] && after[key] > before[key];
    for (const key of ['types', 'fields'] as const) {
      if (grows(key)) {
        return {
          ok: false,
          reason: 'limits',
          errors: [
            `with subgraph "${change.subgraph.name}" the supergraph would have ${after[key]} ${key}; it may have at most ${SUPERGRAPH_LIMITS[key]} (trim this or another subgraph)`,
          ],
        };
      }
    }
  }
  return evaluateChange(...args);
}

function total(figures: readonly SdlFigures[]): SdlFigures {
  return figures.reduce((sum, f) => ({ types: sum.types + f.types, fields: sum.fields + f.fields }), { types: 0, fields: 0 });
}
