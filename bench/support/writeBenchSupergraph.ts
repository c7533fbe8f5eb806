import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mallSdl } from '../../subgraphs/malls/kit/mallSchema.ts';

/** Writes each mall's schema and a supergraph.yaml over catalog and malls m1…mN; returns the yaml's path. */
export function writeBenchSupergraph(options: {
  workDir: string;
  /** Source tree whose catalog schema to use; default this one. */
  root?: string;
  catalogPort: number;
  mallCount: number;
  /** Mall i listens on `mallBase + i`. */
  mallBase: number;
  demoSitesUrl: string;
}): string {
  const { workDir } = options;
  mkdirSync(join(workDir, 'schemas'), { recursive: true });
  const subgraphs = [
    `  catalog:\n    routing_url: http://127.0.0.1:${options.catalogPort}/graphql\n    schema:\n      file: ${resolve(options.root ?? '', 'subgraphs/catalog/schema.graphql')}`,
  ];
  for (let i = 0; i < options.mallCount; i++) {
    const id = `m${i + 1}`;
    const file = join(workDir, 'schemas', `${id}.graphql`);
    writeFileSync(file, mallSdl({ id, name: `Mall ${i + 1}`, homepage: `${options.demoSitesUrl}/` }));
    subgraphs.push(`  ${id}:\n    routing_url: http://127.0.0.1:${options.mallBase + i}/graphql\n    schema:\n      file: ${file}`);
  }
  const config = join(workDir, 'supergraph.yaml');
  writeFileSync(config, `subgraphs:\n${subgraphs.join('\n')}\n`);
  return config;
}
