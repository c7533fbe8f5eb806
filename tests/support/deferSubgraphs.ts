import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import type { GraphQLResolverMap } from '../../lib/subgraph/resolverMap.ts';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const SHELF = `${LINK}\ntype Query { items: [Item!]! }\ntype Item @key(fields: "id") { id: ID! name: String! }`;
const STOCK = `${LINK}\ntype Item @key(fields: "id") { id: ID! stock: Int! }`;
const NOTES = `${LINK}\ntype Item @key(fields: "id") { id: ID! note: String! }`;

const ITEMS = [
  { id: '1', name: 'Kettle' },
  { id: '2', name: 'Toaster' },
];

export interface DeferSubgraphs {
  /** Each subgraph's name, URL and SDL, for composition. */
  list: Array<{ name: string; url: string; sdl: string }>;
  /** In the order the subgraphs were asked: `stock` answered before or after `notes` was asked. */
  events: string[];
  close(): Promise<void>;
}

/**
 * Three subgraphs for the order of deferred work: `shelf` lists items,
 * `stock` and `notes` add a field each. `stock` answers only once `notes`
 * has been asked, or after `stockHoldMs` if it never is, so a gateway that
 * asks `notes` only after `stock` has answered shows in `events`.
 */
export async function startDeferSubgraphs(stockHoldMs: number): Promise<DeferSubgraphs> {
  const events: string[] = [];
  let notesAsked: () => void = () => undefined;
  const askedNotes = new Promise<void>((resolve) => (notesAsked = resolve));
  const definitions: Array<{ name: string; sdl: string; resolvers: Record<string, unknown>; before?: () => Promise<void> }> = [
    {
      name: 'shelf',
      sdl: SHELF,
      resolvers: { Query: { items: () => ITEMS }, Item: { __resolveReference: (ref: { id: string }) => ITEMS.find((i) => i.id === ref.id) } },
    },
    {
      name: 'stock',
      sdl: STOCK,
      resolvers: { Item: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, stock: Number(ref.id) * 10 }) } },
      before: async () => {
        let timer: NodeJS.Timeout | undefined;
        const held = await Promise.race([
          askedNotes.then(() => 'after notes was asked'),
          new Promise<string>((resolve) => (timer = setTimeout(() => resolve('alone, notes not asked'), stockHoldMs))),
        ]);
        clearTimeout(timer);
        events.push(`stock answered ${held}`);
      },
    },
    {
      name: 'notes',
      sdl: NOTES,
      resolvers: { Item: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, note: `note ${ref.id}` }) } },
      before: async () => {
        events.push('notes asked');
        notesAsked();
      },
    },
  ];
  const servers: Server[] = [];
  const list: DeferSubgraphs['list'] = [];
  for (const definition of definitions) {
    const schema = buildSubgraphSchema({ typeDefs: parse(definition.sdl), resolvers: definition.resolvers as GraphQLResolverMap<unknown> });
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = async () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
          // Health checks and schema loads are answered at once; only entity fetches wait.
          if (body.query.includes('_entities')) await definition.before?.();
          const result = await execute({ schema, document: parse(body.query), variableValues: body.variables });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        };
        answer().catch((error: unknown) =>
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] })),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    list.push({ name: definition.name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, sdl: definition.sdl });
  }
  const close = async () => {
    await Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
  };
  return { list, events, close };
}
