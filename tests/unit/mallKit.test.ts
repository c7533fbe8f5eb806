import { describe, expect, it } from 'vitest';
import { createCoalescer } from '../../subgraphs/malls/kit/coalesce.ts';
import { normalizeKeyword } from '../../subgraphs/malls/kit/createMallSearch.ts';
import { createOfferRebaser } from '../../subgraphs/malls/kit/publicUrls.ts';
import { validateSearchInput } from '../../subgraphs/malls/kit/validateSearchInput.ts';

describe('search input', () => {
  it.each([
    ['', 10, /must not be empty/],
    ['a'.repeat(101), 10, /at most 100 characters/],
    ['ok\u0000', 10, /control characters/],
    ['ok', 0, /between 1 and 50/],
    ['ok', 51, /between 1 and 50/],
  ])('refuses %j with first %d', (keyword, first, message) => {
    expect(() => validateSearchInput(keyword, first)).toThrow(message);
  });

  it('accepts Korean keywords and folds spacing and case into one cache key', () => {
    expect(() => validateSearchInput('에어팟 프로', 20)).not.toThrow();
    expect(normalizeKeyword('  AirPods\t Pro ')).toBe('airpods pro');
  });
});

describe('coalescing', () => {
  it('runs identical work once while it is in flight, and again afterwards', async () => {
    const coalescer = createCoalescer<number>();
    let runs = 0;
    const work = () => new Promise<number>((resolve) => setTimeout(() => resolve(++runs), 10));
    const results = await Promise.all([coalescer.run('k', work), coalescer.run('k', work), coalescer.run('other', work)]);
    expect(results[0]).toBe(results[1]);
    expect(runs).toBe(2);
    expect(coalescer.inFlight).toBe(0);
    await coalescer.run('k', work);
    expect(runs).toBe(3);
  });

  it('lets every waiter see a failure, then tries afresh', async () => {
    const coalescer = createCoalescer<number>();
    const failing = () => Promise.reject(new Error('site down'));
    await expect(Promise.all([coalescer.run('k', failing), coalescer.run('k', failing)])).rejects.toThrow('site down');
    await expect(coalescer.run('k', () => Promise.resolve(1))).resolves.toBe(1);
  });
});

describe('public offer links', () => {
  it('points offers crawled at an internal address to the public homepage', () => {
    const rebase = createOfferRebaser('http://demo-sites:4100/hanbit/', 'http://localhost:4100/hanbit/');
    const offer = {
      title: 't',
      price: 1,
      currency: 'KRW',
      url: 'http://demo-sites:4100/hanbit/goods/1',
      imageUrl: 'http://demo-sites:4100/img/1.png',
      model: null,
    };
    expect(rebase(offer)).toMatchObject({ url: 'http://localhost:4100/hanbit/goods/1', imageUrl: 'http://localhost:4100/img/1.png' });
    expect(rebase({ ...offer, url: 'https://cdn.example/x', imageUrl: null })).toMatchObject({ url: 'https://cdn.example/x', imageUrl: null });
  });
});
