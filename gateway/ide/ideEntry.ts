/**
 * The browser side of the GraphQL IDE (bundled by bundleIde.ts, never run by
 * Node): GraphiQL over the gateway's own `/graphql`, queries over HTTP and
 * subscriptions over graphql-ws, the token from the headers editor on both.
 */
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_QUERY } from './defaultQuery.ts';

const http = new URL('/graphql', window.location.href);
const ws = new URL(http);
ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';

const fetcher = createGraphiQLFetcher({ url: http.href, subscriptionUrl: ws.href });
const root = document.getElementById('graphiql');
if (!root) throw new Error('the IDE page has no #graphiql element; serve it with gateway/ide/idePage.ts');
createRoot(root).render(createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, isHeadersEditorEnabled: true, shouldPersistHeaders: false }));
