/**
 * The data behind the four workload subgraphs, in the shape and sizes of the
 * public federation gateway benchmark (graphql-hive/graphql-gateways-benchmark):
 * 6 users, 9 products, 11 reviews on the first four products, review bodies
 * of 142 to 843 characters. The text is our own; only the sizes matter.
 */
export interface WorkloadUser {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface WorkloadProduct {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface WorkloadReview {
  id: string;
  body: string;
  productUpc: string;
}

export const USERS: readonly WorkloadUser[] = [
  ['Mina Okafor', 'minaok'],
  ['Tomas Lindqvist', 'tlindqvist'],
  ['Priya Raghavan', 'priyar'],
  ['Jonas Weber', 'jweber'],
  ['Leila Haddad', 'lhaddad'],
  ['Kenji Mori', 'kmori'],
].map(([name, username], i) => ({ id: String(i + 1), name: name!, username: username!, birthday: 1_234_567_890 }));

export const PRODUCTS: readonly WorkloadProduct[] = [
  ['Desk', 899, 100],
  ['Sofa bed', 1299, 1000],
  ['Mug', 15, 20],
  ['Stool', 499, 100],
  ['Monitor', 1299, 1000],
  ['Lantern', 6999, 300],
  ['Smoker', 3999, 2000],
  ['Freezer', 100000, 6000],
  ['Armchair', 9999, 800],
].map(([name, price, weight], i) => ({ upc: String(i + 1), name: name as string, price: price as number, weight: weight as number }));

/** Which products are in stock, by upc (the inventory subgraph's own data). */
export const IN_STOCK: ReadonlyMap<string, boolean> = new Map(
  [true, false, false, false, true, true, true, false, true].map((inStock, i) => [String(i + 1), inStock]),
);

const WORDS = (
  'the gateway plans each query once and sends every subgraph only what it owns while the ' +
  'reviews arrive in batches keyed by product and the accounts answer for their users so ' +
  'that a shopper sees one answer built from four services measured side by side today'
).split(' ');

/** Deterministic filler text of exactly `length` characters. */
export function prose(length: number, seed: number): string {
  let text = '';
  for (let i = seed; text.length < length; i += 7) text += `${WORDS[i % WORDS.length]} `;
  return `${text.slice(0, length - 1)}.`;
}

// Review i: [body length, product upc], as in the public benchmark.
const REVIEW_SHAPE: ReadonlyArray<[number, string]> = [
  [444, '1'],
  [288, '1'],
  [274, '1'],
  [142, '1'],
  [444, '2'],
  [288, '2'],
  [274, '2'],
  [142, '2'],
  [142, '3'],
  [142, '4'],
  [843, '4'],
];

export const REVIEWS: readonly WorkloadReview[] = REVIEW_SHAPE.map(([length, productUpc], i) => ({
  id: String(i + 1),
  body: prose(length, i),
  productUpc,
}));

/** Every review is written by user 1, and every user's own list is the first two reviews. */
export const AUTHOR_ID = '1';
export const REVIEWS_BY_USER: readonly WorkloadReview[] = REVIEWS.slice(0, 2);
