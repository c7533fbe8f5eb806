import { SUBGRAPH_LIMITS } from '../../registry/evaluate/checkSubgraphLimits.ts';
import { MAX_SDL_BYTES } from '../../registry/http/validateSubgraphInput.ts';

/**
 * The largest subgraph the registry accepts: as many types, fields and
 * arguments as its limits allow, types linked as a tree (so no chain is
 * deeper than the limit) and descriptions padding it to just under the size
 * limit. `root` names its single root field, so two of them compose side by side.
 */
export function largestSdl(root = 'largest'): string {
  const { types, fields, arguments: argumentCount } = SUBGRAPH_LIMITS;
  const perType = Math.floor(fields / types);
  const argumentsPerType = Math.floor(argumentCount / types);
  const prefix = root.charAt(0).toUpperCase() + root.slice(1);
  const name = (i: number) => (i === 0 ? 'Query' : `${prefix}${i}`);
  const definitions: string[] = [];
  for (let i = 0; i < types; i += 1) {
    const members: string[] = [];
    for (let f = 0; f < perType; f += 1) {
      const child = i * 2 + 1 + (f % 2);
      if (i === 0 && f === 0) members.push(`${root}: ${name(1)}`);
      else if (f < 2 && i > 0 && child < types) {
        // The tree's edges carry every argument.
        const args = Array.from({ length: argumentsPerType / 2 }, (_, a) => `a${a}: Int`).join(', ');
        members.push(`child${f}(${args}): ${name(child)}`);
      } else members.push(`f${f}: String`);
    }
    definitions.push(`"""PAD${i}"""\ntype ${name(i)} {\n  ${members.join('\n  ')}\n}`);
  }
  const bare = definitions.join('\n\n');
  // Descriptions cost the gateway little but make every copy of the SDL as big as allowed.
  const pad = Math.floor((MAX_SDL_BYTES - 1024 - Buffer.byteLength(bare)) / types);
  return bare.replace(/PAD(\d+)/g, (_, i: string) => `${prefix} type ${i}. ${'x'.repeat(Math.max(0, pad - 12 - i.length - prefix.length))}`);
}
