import { composeSupergraph } from '../../composition/composeSupergraph.ts';
import type { SubgraphDefinition } from '../../composition/subgraphDefinition.ts';
import { ownershipViolations, type ChangeScope } from './checkOwnership.ts';
import { apiSchemaOf, breakingChanges } from './findBreakingChanges.ts';
import { usageCheck, type KnownOperation } from './usageCheck.ts';

export type SubgraphChange = { action: 'publish'; subgraph: SubgraphDefinition } | { action: 'delete'; name: string };

export type Verdict =
  /** `note`: why a change breaking by type rules was accepted without allowBreaking (usageCheck.ts). */
  | { ok: true; subgraphs: SubgraphDefinition[]; supergraphSdl: string; malls: string[]; breaking: string[]; note?: string }
  | { ok: false; reason: 'composition'; errors: string[] }
  | { ok: false; reason: 'breaking'; breaking: string[] }
  | { ok: false; reason: 'ownership'; errors: string[] }
  | { ok: false; reason: 'unknown-subgraph'; errors: string[] };

/**
 * Decides a publish or delete against the current set of subgraphs: the
 * result must compose, and unless `allowBreaking` it must not break clients
 * of the current API, and a team may contribute only what it owns
 * (checkOwnership.ts). Pure, so `check` and the real thing agree. Given
 * the operations clients rely on (`operations`, usage-based checks), a
 * change breaking by type rules is refused only if it breaks one of them,
 * and accepted with a note if it breaks none; with none known, or without
 * them, the type rules decide.
 */
export function evaluateChange(
  current: { subgraphs: readonly SubgraphDefinition[]; supergraphSdl: string | null },
  change: SubgraphChange,
  allowBreaking: boolean,
  scope: ChangeScope = { kind: 'admin' },
  operations?: readonly KnownOperation[],
): Verdict {
  const name = change.action === 'publish' ? change.subgraph.name : change.name;
  const others = current.subgraphs.filter((s) => s.name !== name);
  if (change.action === 'delete' && others.length === current.subgraphs.length) {
    return { ok: false, reason: 'unknown-subgraph', errors: [`no subgraph named "${name}" is published`] };
  }
  const next = change.action === 'publish' ? [...others, change.subgraph] : others;
  if (next.length === 0) return { ok: false, reason: 'composition', errors: ['deleting the last subgraph would leave an empty supergraph'] };
  const composed = composeSupergraph([...next].sort((a, b) => a.name.localeCompare(b.name)));
  if (!composed.ok) return { ok: false, reason: 'composition', errors: composed.errors };
  const trespasses = ownershipViolations({ scope, subgraph: name, before: current.supergraphSdl, after: composed.supergraphSdl });
  if (trespasses.length > 0) return { ok: false, reason: 'ownership', errors: trespasses };
  const before = current.supergraphSdl ? apiSchemaOf(current.supergraphSdl) : null;
  const after = before ? apiSchemaOf(composed.supergraphSdl) : null;
  const breaking = before && after ? breakingChanges(before, after) : [];
  const accepted = { ok: true as const, subgraphs: next, supergraphSdl: composed.supergraphSdl, malls: composed.malls.map((m) => m.id), breaking };
  if (breaking.length === 0 || allowBreaking) return accepted;
  const usage = operations && before && after ? usageCheck(before, after, breaking, operations) : { kind: 'unknown' as const };
  if (usage.kind === 'safe') return { ...accepted, note: usage.note };
  return { ok: false, reason: 'breaking', breaking: usage.kind === 'breaks' ? [...usage.broken, ...breaking.map((b) => `type rules: ${b}`)] : breaking };
}
