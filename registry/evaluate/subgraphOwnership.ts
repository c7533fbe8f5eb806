import { findMallsInSdl } from '../../composition/mallDirectory.ts';
import type { ChangeScope } from './checkOwnership.ts';

/** Who answers for a subgraph, and what it is: a mall, or any other service. */
export interface SubgraphOwnership {
  /** `admin`, or the team whose token published it. */
  owner: string;
  kind: 'mall' | 'service';
}

export const ADMIN_OWNER = 'admin';

/** What publishing `sdl` under `scope` makes of a subgraph. */
export function ownershipOf(sdl: string, scope: ChangeScope): SubgraphOwnership {
  let declaresMall = false;
  try {
    declaresMall = findMallsInSdl(sdl, 'subgraph').length > 0;
  } catch {
    // An SDL that does not parse never gets this far; composition names its error.
  }
  const owner = scope.kind === 'team' ? scope.team : ADMIN_OWNER;
  const granted = scope.kind === 'team' && scope.contributes.length > 0;
  return { owner, kind: declaresMall && !granted ? 'mall' : 'service' };
}

/**
 * Whether a team may change (publish over or delete) a subgraph that exists:
 * its own, or a mall an admin published (handing a mall to its team), but
 * never another team's subgraph nor a service the admin runs. Null when it may.
 */
export function nameRefusal(existing: (SubgraphOwnership & { name: string }) | undefined, scope: ChangeScope): string | null {
  if (scope.kind === 'admin' || !existing || existing.owner === scope.team) return null;
  if (existing.owner === ADMIN_OWNER && existing.kind === 'mall') return null;
  const whose = existing.owner === ADMIN_OWNER ? `the admin's ${existing.kind}` : `team ${existing.owner}'s ${existing.kind}`;
  return `subgraph "${existing.name}" is ${whose}; team ${scope.team} may not change it (only the admin token can)`;
}
