import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mallTypeName } from '../../composition/mallNaming.ts';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import { createSite as createHanbitSite } from '../../subgraphs/malls/hanbit/site.ts';
import { startMall, type RunningMall } from '../../subgraphs/malls/kit/startMall.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const MALL_TYPE = mallTypeName('hanbit');
const SEARCH = `query ($keyword: String!) { _entities(representations: [{ __typename: "${MALL_TYPE}", id: "hanbit" }]) {
  ... on ${MALL_TYPE} { search(keyword: $keyword, first: 5) { offers { title } error { code message } } } } }`;

type Stats = Record<string, { total: number }>;

describe('keywords at a running mall subgraph', () => {
  let sites: DemoSites;
  let mall: RunningMall;
  const previousPrefix = process.env.MONGODB_DB_PREFIX;

  beforeAll(async () => {
    sites = await createDemoSites({ port: 0 });
    process.env.MONGODB_DB_PREFIX = `test_keyword_${randomUUID().slice(0, 8)}`;
    const siteUrl = `${sites.url}/hanbit/`;
    mall = await startMall(
      createHanbitSite(siteUrl),
      {
        mongoUri: testMongoUri(),
        siteUrl,
        homepage: siteUrl,
        port: 0,
        host: '127.0.0.1',
        deadlineMs: 3000,
        freshMs: 60_000,
        retainMs: 3_600_000,
        requestsPerSecond: 50,
        maxConcurrent: 4,
        maxPages: 1,
      },
      quiet,
    );
  });
  afterAll(async () => {
    await mall?.close();
    await sites?.close();
    process.env.MONGODB_DB_PREFIX = previousPrefix;
  });

  const siteSearches = async () => ((await (await fetch(`${sites.url}/__stats`)).json()) as Stats).hanbit?.total ?? 0;

  it.each([
    ['a lone surrogate', 'ipad\uD800', 'keyword has a lone surrogate U+D800 at character 5; send well-formed Unicode text'],
    ['a zero-width space', 'air\u200Bpods', 'keyword must not contain control characters or invisible formatting; found U+200B at character 4'],
    ['a bidi override', '\u202Eipad', 'keyword must not contain control characters or invisible formatting; found U+202E at character 1'],
    ['101 emoji', '😀'.repeat(101), 'keyword must be at most 100 characters, got 101'],
  ])('refuses %s as BAD_USER_INPUT and crawls nothing', async (_name, keyword, message) => {
    const before = await siteSearches();
    const response = await postGraphQL(mall.url, SEARCH, { keyword });
    expect(response.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
    expect(await siteSearches()).toBe(before);
  });

  it('searches the site for 100 emoji', async () => {
    const response = await postGraphQL<{ _entities: Array<{ search: { error: unknown } }> }>(mall.url, SEARCH, { keyword: '😀'.repeat(100) });
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities[0]?.search.error).toBeNull();
  });
});
