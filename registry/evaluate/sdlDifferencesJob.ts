/**
 * The publish probe's thread (see probeSubgraph.ts): compares a served SDL
 * with the published one, so parsing two schemas never stalls the
 * registry's HTTP thread.
 */
import { parse } from 'graphql';
import { lowerThreadPriority } from '../../lib/worker/lowerThreadPriority.ts';
import { subgraphSdlDifferences } from './subgraphSdlDifferences.ts';

export type SdlComparison = { kind: 'compared'; differences: string[] } | { kind: 'published-unparsable' } | { kind: 'served-unparsable' };

lowerThreadPriority();

export default function sdlDifferencesJob([published, served]: [string, string]): SdlComparison {
  try {
    parse(published, { noLocation: true });
  } catch {
    return { kind: 'published-unparsable' };
  }
  try {
    return { kind: 'compared', differences: subgraphSdlDifferences(published, served) };
  } catch {
    return { kind: 'served-unparsable' };
  }
}
