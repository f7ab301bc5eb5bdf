/**
 * The sender: oldest queued messages first, at most `maxInFlight` publishes unacknowledged, QoS 1. A
 * message leaves the outbox only on its PUBACK (`outbox.ack`); a failed publish puts it back (`nack`)
 * for the next connection, and a message the broker took with no subscriber (NoSubscribersError) also
 * pauses sending for a moment.
 */
import { NoSubscribersError } from '../errors.js';
import type { Clock, DeviceLink, MessageOutbox, QueuedMessage } from './ports.js';

/** How long the sender waits after a message no subscriber received, ms. */
const NO_SUBSCRIBER_PAUSE_MS = 250;

/** Options of `Sender`. */
export interface SenderOptions {
  readonly outbox: MessageOutbox;
  /** The link messages go out on (read at each round: it may come later). */
  readonly link: () => DeviceLink | undefined;
  /** The embedding topic. */
  readonly topic: string;
  /** Unacknowledged publishes at once, at least 1. */
  readonly maxInFlight: number;
  readonly clock: Clock;
  /** A message was acknowledged and has left the outbox. */
  readonly onAcknowledged: (message: QueuedMessage) => void;
  /** A publish settled, acknowledged or not. */
  readonly onSettled: () => void;
}

/** Moves messages from an outbox to a link until stopped. */
export class Sender {
  private wakeUp: () => void = () => undefined;
  /** No send before this `clock.now()`. */
  private pauseUntil = 0;
  private inFlight = 0;
  private stopped = false;

  constructor(private readonly options: SenderOptions) {}

  /** Starts sending (resolves when stopped). */
  async run(): Promise<void> {
    const { outbox, clock } = this.options;
    while (!this.stopped) {
      const link = this.options.link();
      const pause = this.pauseUntil - clock.now();
      if (pause > 0) {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, pause));
        continue;
      }
      const room = this.options.maxInFlight - this.inFlight;
      const batch = link?.connected && room > 0 ? await outbox.take(room) : [];
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        continue;
      }
      for (const message of batch) this.send(link!, message);
    }
  }

  /** Looks for work again (a message was queued, the link came up). */
  wake(): void {
    this.wakeUp();
  }

  /** Sends at once: ends a pause after a message no subscriber received, and looks for work. */
  resume(): void {
    this.pauseUntil = 0;
    this.wakeUp();
  }

  /** Sends nothing more; publishes in flight still settle. */
  stop(): void {
    this.stopped = true;
    this.wakeUp();
  }

  private send(link: DeviceLink, message: QueuedMessage): void {
    const { outbox, clock } = this.options;
    this.inFlight++;
    link
      .publish(this.options.topic, message.payload)
      .then(
        async () => {
          await outbox.ack(message.seq);
          this.options.onAcknowledged(message);
        },
        (error: unknown) => {
          outbox.nack(message.seq);
          // Nobody received it (no cloud subscribed yet): wait before sending again.
          if (error instanceof NoSubscribersError) this.pauseUntil = clock.now() + NO_SUBSCRIBER_PAUSE_MS;
        },
      )
      .finally(() => {
        this.inFlight--;
        this.options.onSettled();
        this.wakeUp();
      });
  }
}
