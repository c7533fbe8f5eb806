import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSupergraph } from '../composition/composeSupergraph.ts';
import { readSupergraphConfig } from '../composition/readSupergraphConfig.ts';

/** `npm run compose`: supergraph.yaml → schema/supergraph.graphql. */
const config = resolve(process.argv[2] ?? 'supergraph.yaml');
const output = resolve(process.argv[3] ?? 'schema/supergraph.graphql');
try {
  const result = composeSupergraph(readSupergraphConfig(config));
  if (!result.ok) {
    console.error(`composition failed:\n${result.errors.map((e) => `- ${e}`).join('\n')}`);
    process.exit(1);
  }
  writeFileSync(output, result.supergraphSdl);
  console.log(`wrote ${output}: ${result.malls.length} malls (${result.malls.map((m) => m.id).join(', ')})`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
