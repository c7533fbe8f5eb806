import { Kind, Lexer, Source, TokenKind, parse, type DocumentNode, type TypeNode } from 'graphql';

/**
 * What one subgraph's SDL may contain. Real subgraphs pass with room to spare
 * (this repository's largest is a few KB and 10 types; a big company subgraph
 * has a couple of hundred types), while the gateway's cost of building a
 * version stays small: `npm run bench publish` measures a subgraph at these
 * limits, and at twice them search p99 while publishing went past 2× idle.
 */
export const SUBGRAPH_LIMITS = {
  /** Lexical tokens (a description is one): bounds the work of parsing. */
  tokens: 60_000,
  /** Brackets, braces and parentheses open at once: the parser recurses on each. */
  nesting: 16,
  /** Named types: objects, interfaces, unions, enums, inputs and scalars. */
  types: 250,
  /** Fields, enum values or input fields of one type, extensions included. */
  fieldsPerType: 200,
  fields: 2_000,
  argumentsPerField: 32,
  arguments: 2_000,
  /** Levels from a root or entity type to the deepest type it reaches through fields. */
  referenceDepth: 32,
} as const;

/** The whole supergraph: every subgraph at its limit would still make gateways build slowly. */
export const SUPERGRAPH_LIMITS = { types: 1_200, fields: 10_000 } as const;

export interface SdlFigures {
  types: number;
  fields: number;
}

/** The figures supergraph totals add up, and the first limit `sdl` is over (null when none). */
export interface LimitCheck {
  figures: SdlFigures;
  error: string | null;
}

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Checks `sdl` against SUBGRAPH_LIMITS with work linear in its size and no
 * recursion deeper than the nesting limit: a lexer pass first (tokens,
 * nesting), then graphql's parser with `maxTokens`, then counts over the
 * definitions and a breadth-first walk of type references. An SDL that does
 * not lex or parse passes, for composition to report its syntax error.
 */
export function checkSubgraphLimits(subgraph: string, sdl: string): LimitCheck {
  let figures: SdlFigures = { types: 0, fields: 0 };
  const over = (figure: string, limit: string): LimitCheck => ({
    figures,
    error: `subgraph "${subgraph}" ${figure}; ${limit} (split it into several subgraphs or trim it)`,
  });
  const lexed = lexFigures(sdl);
  if (lexed.tokens > SUBGRAPH_LIMITS.tokens) return over(`has ${lexed.tokens} lexical tokens`, `a subgraph may have at most ${SUBGRAPH_LIMITS.tokens}`);
  if (lexed.nesting > SUBGRAPH_LIMITS.nesting)
    return over(`nests brackets ${lexed.nesting} deep`, `a subgraph may nest them at most ${SUBGRAPH_LIMITS.nesting} deep`);

  let document: DocumentNode;
  try {
    if (!lexed.lexes) throw new Error('no SDL');
    document = parse(sdl, { noLocation: true, maxTokens: SUBGRAPH_LIMITS.tokens });
  } catch {
    return { figures, error: null };
  }

  const fieldsOf = new Map<string, number>();
  const references = new Map<string, string[]>();
  const entities = new Set<string>();
  let fields = 0;
  let argumentCount = 0;
  let mostArguments = { field: '', count: 0 };
  for (const definition of document.definitions) {
    if (!isTypeKind(definition.kind) || !('name' in definition) || !definition.name) continue;
    const name = definition.name.value;
    const members = 'fields' in definition && definition.fields ? definition.fields : 'values' in definition && definition.values ? definition.values : [];
    fieldsOf.set(name, (fieldsOf.get(name) ?? 0) + members.length);
    fields += members.length;
    if ('directives' in definition && definition.directives?.some((d) => d.name.value === 'key')) entities.add(name);
    const targets = references.get(name) ?? [];
    references.set(name, targets);
    if ('types' in definition && definition.types) targets.push(...definition.types.map((t) => t.name.value));
    for (const member of members) {
      if ('type' in member) targets.push(namedType(member.type));
      const args = 'arguments' in member && member.arguments ? member.arguments.length : 0;
      argumentCount += args;
      if (args > mostArguments.count) mostArguments = { field: `${name}.${member.name.value}`, count: args };
    }
  }
  const widest = [...fieldsOf].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  const depth = referenceDepth(
    references,
    [...references.keys()].filter((name) => ROOTS.has(name) || entities.has(name)),
  );

  figures = { types: fieldsOf.size, fields };
  const L = SUBGRAPH_LIMITS;
  if (fieldsOf.size > L.types) return over(`declares ${fieldsOf.size} types`, `a subgraph may declare at most ${L.types}`);
  if (fields > L.fields) return over(`declares ${fields} fields`, `a subgraph may declare at most ${L.fields}`);
  if (widest[1] > L.fieldsPerType) return over(`gives type ${widest[0]} ${widest[1]} fields`, `a type may have at most ${L.fieldsPerType}`);
  if (argumentCount > L.arguments) return over(`declares ${argumentCount} arguments`, `a subgraph may declare at most ${L.arguments}`);
  if (mostArguments.count > L.argumentsPerField)
    return over(`gives ${mostArguments.field} ${mostArguments.count} arguments`, `a field may have at most ${L.argumentsPerField}`);
  if (depth > L.referenceDepth) return over(`chains types through fields ${depth} levels deep`, `a subgraph may chain them at most ${L.referenceDepth} deep`);
  return { figures, error: null };
}

/** Tokens and the deepest bracket nesting, counted without recursion (up to a lexical error, if any). */
function lexFigures(sdl: string): { tokens: number; nesting: number; lexes: boolean } {
  const lexer = new Lexer(new Source(sdl));
  let tokens = 0;
  let open = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) nesting = Math.max(nesting, ++open);
      else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) open -= 1;
    }
  } catch {
    return { tokens, nesting, lexes: false };
  }
  return { tokens, nesting, lexes: true };
}

/** The most levels a breadth-first walk from `starts` goes down through field types. */
function referenceDepth(references: ReadonlyMap<string, readonly string[]>, starts: readonly string[]): number {
  const level = new Map<string, number>(starts.map((name) => [name, 0]));
  const queue = [...starts];
  let deepest = 0;
  for (let i = 0; i < queue.length; i += 1) {
    const name = queue[i]!;
    const next = level.get(name)! + 1;
    for (const target of references.get(name) ?? []) {
      if (level.has(target) || !references.has(target)) continue;
      level.set(target, next);
      deepest = Math.max(deepest, next);
      queue.push(target);
    }
  }
  return deepest;
}

function namedType(type: TypeNode): string {
  // Wrappers nest at most as deep as the brackets the lexer pass allowed.
  let inner = type;
  while (inner.kind !== Kind.NAMED_TYPE) inner = inner.type;
  return inner.name.value;
}

function isTypeKind(kind: Kind): boolean {
  return (
    kind === Kind.OBJECT_TYPE_DEFINITION ||
    kind === Kind.OBJECT_TYPE_EXTENSION ||
    kind === Kind.INTERFACE_TYPE_DEFINITION ||
    kind === Kind.INTERFACE_TYPE_EXTENSION ||
    kind === Kind.UNION_TYPE_DEFINITION ||
    kind === Kind.UNION_TYPE_EXTENSION ||
    kind === Kind.ENUM_TYPE_DEFINITION ||
    kind === Kind.ENUM_TYPE_EXTENSION ||
    kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
    kind === Kind.INPUT_OBJECT_TYPE_EXTENSION ||
    kind === Kind.SCALAR_TYPE_DEFINITION ||
    kind === Kind.SCALAR_TYPE_EXTENSION
  );
}
