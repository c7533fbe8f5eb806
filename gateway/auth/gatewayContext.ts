/**
 * What a request carries through the gateway: who is calling, as the edge
 * verified it. The client's token itself goes no further than the edge.
 */
export type GatewayContext = {
  userId: string | null;
};

export function userIdOf(context: unknown): string | null {
  const userId = (context as Partial<GatewayContext> | undefined)?.userId;
  return typeof userId === 'string' ? userId : null;
}
