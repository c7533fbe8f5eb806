import { readFileSync } from 'node:fs';
import { mallTypeName } from '../../../composition/mallNaming.ts';

const CONTRACT = readFileSync(new URL('../../../schema/mall.graphql', import.meta.url), 'utf8');

export interface MallIdentity {
  id: string;
  name: string;
  /** The address shoppers open; may differ from the address the crawler uses. */
  homepage: string;
}

/** The full SDL of one mall subgraph: the shared contract plus its own type. */
export function mallSdl(mall: MallIdentity): string {
  const directive = `@mall(name: ${JSON.stringify(mall.name)}, homepage: ${JSON.stringify(mall.homepage)})`;
  return `${CONTRACT}
type ${mallTypeName(mall.id)} implements Mall @key(fields: "id") ${directive} {
  id: ID!
  search(keyword: String!, first: Int = 20): MallSearch
}
`;
}
