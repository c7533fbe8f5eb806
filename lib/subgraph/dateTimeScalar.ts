import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DATE_TIME_SHAPE, parseDateTime } from '../time/parseDateTime.ts';

/** RFC 3339 instants, as every subgraph of the contract uses them; input follows the ingestion's rule. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in RFC 3339, UTC on output: 2026-11-22T06:00:00.000Z',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(`DateTime ${DATE_TIME_SHAPE}`);
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const reading = parseDateTime(value);
  if (!reading.ok) throw new GraphQLError(`DateTime ${reading.problem}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return reading.date;
}
