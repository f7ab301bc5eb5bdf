/** MQTT topics of heartline (DESIGN.md, "The wire"); device ids are validated before use in a topic. */
export const TOPICS = {
  /** device → cloud, QoS 1: embedding messages. */
  embedding: (deviceId: string) => `hl/v1/dev/${deviceId}/emb`,
  /** device → cloud, QoS 1, retained; the offline last will goes here too. */
  state: (deviceId: string) => `hl/v1/dev/${deviceId}/state`,
  /** cloud → device, QoS 1: commands (assign channel, rollback, …). */
  command: (deviceId: string) => `hl/v1/dev/${deviceId}/cmd`,
  /** cloud → devices, QoS 1, retained: the signed release manifest of a channel. */
  release: (channel: string) => `hl/v1/rel/${channel}`,
  /** What every cloud ingest subscribes to (wrapped in `$share/cloud/` on brokers that share). */
  allEmbeddings: 'hl/v1/dev/+/emb',
  allStates: 'hl/v1/dev/+/state',
} as const;

/** The device id in an `hl/v1/dev/{id}/…` topic, or undefined. */
export function deviceIdOfTopic(topic: string): string | undefined {
  const match = /^hl\/v1\/dev\/([^/]+)\/[^/]+$/.exec(topic);
  return match?.[1];
}
