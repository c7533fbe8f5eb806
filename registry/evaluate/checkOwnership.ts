import { DIRECTORY_SUBGRAPH } from '../../composition/subgraphDefinition.ts';
import { mallContract, mallTypeFacts, type AllowedFacts } from './mallContract.ts';
import { supergraphFacts, type SupergraphFact } from './supergraphFacts.ts';

/**
 * Who is changing the registry. The admin may change anything; a team token
 * may contribute a mall (its own mall type and the shared mall types exactly
 * as schema/mall.graphql has them) plus the coordinates (`Type` or
 * `Type.field`) an admin granted it, and nothing else.
 */
export type ChangeScope = { kind: 'admin' } | { kind: 'team'; team: string; contributes: readonly string[] };

/** join__field arguments by which one subgraph reaches into what others resolve. */
const REACHING = /\b(requires|provides|override|external|usedOverridden|overrideLabel|contextArguments)\b/;

/**
 * Why a team's change would reach beyond what it may contribute, one sentence
 * per field; empty when it may go ahead. Decided on the composed result
 * (which subgraph resolves each field before and after), so no directive
 * trick (`@override`, `@shareable`, `@interfaceObject`, `@requires`, a key
 * on another team's type) gets around it.
 */
export function ownershipViolations(input: { scope: ChangeScope; subgraph: string; before: string | null; after: string }): string[] {
  const { scope, subgraph } = input;
  if (scope.kind === 'admin') return [];
  const beforeFacts = input.before ? supergraphFacts(input.before) : [];
  const afterFacts = supergraphFacts(input.after);
  const violations = takenFromOthers(beforeFacts, afterFacts, subgraph);
  const owned = new Set(afterFacts.filter((f) => f.graph !== subgraph && f.graph !== DIRECTORY_SUBGRAPH && f.kind === 'type').map((f) => f.coordinate));
  const allowed = allowedFor(
    scope,
    afterFacts.filter((f) => f.graph === subgraph),
    owned,
  );
  const ownerOf = (coordinate: string) => ownersIn(beforeFacts, coordinate, subgraph);
  for (const fact of afterFacts) {
    if (fact.graph !== subgraph) continue;
    const expected = allowed.get(key(fact));
    if (expected === undefined) violations.push(`${describeFact(fact)} is not ${subgraph}'s to contribute${ownerOf(fact.coordinate)}; ${grantHint(scope)}`);
    else if (expected !== fact.detail) {
      violations.push(
        `${describeFact(fact)} must be declared exactly as schema/mall.graphql has it (${expected || 'no federation directives'}), not with (${fact.detail || 'none'}); a team may not use @override, @requires, @provides, @external or other keys`,
      );
    }
  }
  return [...new Set(violations)];
}

/** Every fact of every other subgraph must stay as it was: nothing another subgraph resolves moves. */
function takenFromOthers(before: readonly SupergraphFact[], after: readonly SupergraphFact[], subgraph: string): string[] {
  const others = (facts: readonly SupergraphFact[]) =>
    new Map(facts.filter((f) => f.graph !== subgraph && f.graph !== DIRECTORY_SUBGRAPH).map((f) => [`${key(f)}@${f.graph}=${f.detail}`, f]));
  const previous = others(before);
  const next = others(after);
  const violations: string[] = [];
  for (const [id, fact] of previous) {
    if (!next.has(id))
      violations.push(
        `${describeFact(fact)} belongs to ${fact.graph}; ${subgraph} may not take it over or change how it is resolved (only the admin token can)`,
      );
  }
  for (const [id, fact] of next) {
    if (!previous.has(id)) violations.push(`${subgraph} would change ${describeFact(fact)} of ${fact.graph}; only the admin token can`);
  }
  return violations;
}

function allowedFor(scope: Extract<ChangeScope, { kind: 'team' }>, own: readonly SupergraphFact[], ownedByOthers: ReadonlySet<string>): AllowedFacts {
  const allowed: AllowedFacts = new Map(mallContract());
  // Its own mall types: those it declares that no other subgraph does.
  for (const fact of own) {
    if (fact.kind === 'type' && /^[A-Z][a-z0-9]*Mall$/.test(fact.coordinate) && !ownedByOthers.has(fact.coordinate)) {
      for (const [id, detail] of mallTypeFacts(fact.coordinate)) allowed.set(id, detail);
    }
  }
  for (const coordinate of scope.contributes) {
    const [type, field] = coordinate.split('.') as [string, string | undefined];
    for (const fact of own) {
      const [factType, factField] = fact.coordinate.split(/[. ]/);
      const inGrant = factType === type && (field === undefined || fact.kind === 'type' || factField === field);
      // Granted coordinates come as declared, but never with directives that reach into other subgraphs.
      if (inGrant && fact.kind !== 'directive' && !REACHING.test(fact.detail)) allowed.set(key(fact), fact.detail);
    }
  }
  return allowed;
}

function key(fact: SupergraphFact): string {
  return `${fact.kind}:${fact.coordinate}`;
}

function describeFact(fact: SupergraphFact): string {
  switch (fact.kind) {
    case 'type':
      return `type ${fact.coordinate}`;
    case 'field':
      return `field ${fact.coordinate}`;
    case 'implements':
      return `"${fact.coordinate}"`;
    case 'member':
      return `union member ${fact.coordinate}`;
    case 'value':
      return `enum value ${fact.coordinate}`;
    case 'directive':
      return `${fact.detail.split(' ')[0]} on ${fact.coordinate}`;
  }
}

function ownersIn(facts: readonly SupergraphFact[], coordinate: string, except: string): string {
  const owners = [...new Set(facts.filter((f) => f.coordinate === coordinate && f.graph !== except && f.graph !== DIRECTORY_SUBGRAPH).map((f) => f.graph))];
  return owners.length > 0 ? ` (it belongs to ${owners.join(', ')})` : '';
}

function grantHint(scope: Extract<ChangeScope, { kind: 'team' }>): string {
  return `team ${scope.team}'s token allows its own mall type and the shared mall types${scope.contributes.length > 0 ? ` plus ${scope.contributes.join(', ')}` : ''}; ask an admin for a grant`;
}
