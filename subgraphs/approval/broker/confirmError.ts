/** What a publisher-confirm callback was given, as an Error (amqplib passes one when the broker nacks). */
export function confirmError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`RabbitMQ did not confirm the publish (${JSON.stringify(error) ?? typeof error})`);
}
