import { describe, expect, it } from 'vitest';
import { copyJson } from '../../gateway/dataSources/copyJson.ts';

describe('copying a shared subgraph answer', () => {
  it('gives a deep copy: changing it leaves the original as parsed', () => {
    const original = JSON.parse('{"data":{"_entities":[{"__typename":"Stock","tags":["a"],"owner":null,"n":1.5}]}}') as {
      data: { _entities: Array<{ tags: string[] }> };
    };
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    copy.data._entities[0]!.tags.push('merged');
    expect(original.data._entities[0]!.tags).toEqual(['a']);
  });

  it('keeps a "__proto__" key a subgraph sent as data, never as a prototype', () => {
    const original = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as Record<string, unknown>;
    const copy = copyJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });
});
