/** The device's errors, each with a stable `code` and a message that says what to check. */

/** The broker took a message but no subscriber was there to receive it (MQTT 5 only): not delivered. */
export class NoSubscribersError extends Error {
  readonly code = 'NO_SUBSCRIBERS';
  constructor(readonly topic: string) {
    super(`the broker has no subscriber for ${topic}; the message stays queued`);
    this.name = 'NoSubscribersError';
  }
}

/** The broker refused the device's credentials (MQTT CONNACK 4 or 5). */
export class CredentialsRefusedError extends Error {
  readonly code = 'CREDENTIALS_REFUSED';
  constructor(deviceId: string, detail: string) {
    super(`the broker refused device ${JSON.stringify(deviceId)}: ${detail}; check the device id and secret`);
    this.name = 'CredentialsRefusedError';
  }
}

/** The broker refused a subscription (SUBACK 0x80): the device is not allowed to follow that topic. */
export class SubscriptionRefusedError extends Error {
  readonly code = 'SUBSCRIPTION_REFUSED';
  constructor(readonly topics: readonly string[]) {
    super(`the broker refused the subscription to ${topics.join(', ')}: is the device on that channel?`);
    this.name = 'SubscriptionRefusedError';
  }
}
