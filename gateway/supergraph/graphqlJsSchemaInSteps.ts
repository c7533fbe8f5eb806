import { printSchema, type Schema } from '@apollo/federation-internals';
import { buildASTSchema, Kind, parse, type DefinitionNode, type GraphQLSchema } from 'graphql';

/** Extension-only definitions need the fix-ups only federation's own conversion does. */
function hasExtensionOnlyDefinitions(schema: Schema): boolean {
  const extensionOnly = (element: { hasExtensionElements(): boolean; hasNonExtensionElements(): boolean }) =>
    element.hasExtensionElements() && !element.hasNonExtensionElements();
  return extensionOnly(schema.schemaDefinition) || [...schema.types()].some(extensionOnly);
}

/**
 * `schema.toGraphQLJSSchema()` in three steps (print, parse, build), each a
 * third of the whole, so a caller that pauses between them keeps serving.
 * The result is the same as federation's conversion for schemas without
 * extension-only definitions; the rare others are converted in one step.
 */
export function* graphqlJsSchemaInSteps(schema: Schema, options: { includeDefer?: boolean } = {}): Generator<void, GraphQLSchema> {
  if (hasExtensionOnlyDefinitions(schema)) return schema.toGraphQLJSSchema(options);
  const sdl = printSchema(schema);
  yield;
  const document = parse(sdl, { noLocation: true });
  yield;
  const definitions: DefinitionNode[] = options.includeDefer ? [...document.definitions, schema.deferDirective().toAST()] : [...document.definitions];
  return buildASTSchema({ kind: Kind.DOCUMENT, definitions });
}
