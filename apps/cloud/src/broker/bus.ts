/** A received MQTT message: its topic and payload bytes. */
export type MessageHandler = (topic: string, payload: Uint8Array) => void | Promise<void>;

/**
 * The cloud's own privileged link to the broker, embedded or external: subscribe to device traffic and
 * publish release manifests and commands. Handlers are awaited before the message is acknowledged.
 */
export interface MessageBus {
  /** `embedded` (aedes in this process) or `external` (`MQTT_URL`). */
  readonly kind: 'embedded' | 'external';
  /**
   * Receives every message matching `filter`. Device traffic is shared between cloud instances on an
   * external broker unless `shared: false` (retained device states must reach every instance).
   */
  subscribe(filter: string, handler: MessageHandler, options?: { shared?: boolean }): Promise<void>;
  /** Publishes at QoS 1. */
  publish(topic: string, payload: Uint8Array | string, options?: { retain?: boolean }): Promise<void>;
  /** Disconnects (external) or stops the listeners (embedded). */
  close(): Promise<void>;
}
