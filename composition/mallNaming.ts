/**
 * A mall's id and its GraphQL type name map one to one
 * (`hanbit` ⇄ `HanbitMall`), so the directory can name a mall from its type.
 */
const MALL_ID = /^[a-z][a-z0-9]{0,39}$/;

export function isMallId(id: string): boolean {
  return MALL_ID.test(id);
}

export function mallTypeName(id: string): string {
  if (!isMallId(id)) {
    throw new Error(`mall id "${id}" must be 1-40 lower-case letters and digits, starting with a letter`);
  }
  return `${id[0]!.toUpperCase()}${id.slice(1)}Mall`;
}

export function mallIdOf(typeName: string): string | null {
  const match = /^([A-Z][a-z0-9]*)Mall$/.exec(typeName);
  return match ? match[1]!.toLowerCase() : null;
}
