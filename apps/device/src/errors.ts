/**
 * The device's errors, each with a stable `code` (on the model's `HeartlineError`) and a message that
 * says what to check.
 */
import { HeartlineError } from '@heartline/model/errors';

/** The broker took a message but no subscriber was there to receive it (MQTT 5 only): not delivered. */
export class NoSubscribersError extends HeartlineError {
  readonly code = 'NO_SUBSCRIBERS';
  constructor(readonly topic: string) {
    super(`the broker has no subscriber for ${topic}; the message stays queued`);
  }
}

/** The broker refused the device's credentials (MQTT CONNACK 4 or 5). */
export class CredentialsRefusedError extends HeartlineError {
  readonly code = 'CREDENTIALS_REFUSED';
  constructor(deviceId: string, detail: string) {
    super(`the broker refused device ${JSON.stringify(deviceId)}: ${detail}; check the device id and secret`);
  }
}

/** The broker refused a subscription (SUBACK 0x80): the device is not allowed to follow that topic. */
export class SubscriptionRefusedError extends HeartlineError {
  readonly code = 'SUBSCRIPTION_REFUSED';
  constructor(readonly topics: readonly string[]) {
    super(`the broker refused the subscription to ${topics.join(', ')}: is the device on that channel?`);
  }
}

/** Why a release was refused. */
export type RefusalReason =
  | 'malformed'
  | 'signature'
  | 'input-shape'
  | 'download'
  | 'size'
  | 'hash'
  | 'load'
  | 'self-test';

/** A release that must not be loaded, with the reason and what was found. */
export class RefusedRelease extends HeartlineError {
  readonly code = 'RELEASE_REFUSED';
  constructor(
    readonly reason: RefusalReason,
    readonly release: string,
    detail: string,
  ) {
    super(`release ${release} refused (${reason}): ${detail}`);
  }
}

/** The server's certificate was not trusted; `tlsCode` is Node's reason (`CERT_HAS_EXPIRED`…). */
export class UntrustedServerError extends HeartlineError {
  readonly code = 'UNTRUSTED_SERVER';
  constructor(
    readonly url: string,
    readonly tlsCode: string,
    detail: string,
  ) {
    super(
      `TLS: ${url} is not trusted (${tlsCode}: ${detail}); the device verifies the server against its --ca file`,
    );
  }
}

/** TLS was spoken to a port that answers in plaintext (or another protocol). */
export class NotTlsError extends HeartlineError {
  readonly code = 'NOT_TLS';
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`TLS: ${url} does not speak TLS on this port (${detail})`);
  }
}

/** An HTTP download (model file, signing key) that failed: a non-2xx status or a URL it cannot fetch. */
export class DownloadError extends HeartlineError {
  readonly code = 'DOWNLOAD';
}

/** The browser's IndexedDB aborted a write of the outbox journal (quota, private mode, closed database). */
export class OutboxStorageError extends HeartlineError {
  readonly code = 'OUTBOX_STORAGE';
}
