/**
 * A preprocessing worker of the cache writer (see worker-protocol.ts): builds one shard at a time from
 * the records it is sent and writes it when told to.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { writeFileAtomic } from './atomic-write.js';
import { ShardBuilder } from './shard-builder.js';
import { encodeShard } from './shard-file.js';
import type { PreprocessReply, WorkerInit, WriterMessage } from './worker-protocol.js';

const init = workerData as WorkerInit;
let builder = new ShardBuilder(init.preprocess, init.shardSize);
const post = (reply: PreprocessReply) => parentPort?.postMessage(reply);

async function handle(message: WriterMessage): Promise<PreprocessReply> {
  if (message.type === 'records') {
    for (const record of message.records) builder.add(record);
    return { type: 'ack' };
  }
  const bytes = encodeShard(builder.finish());
  await writeFileAtomic(message.path, bytes);
  const examples = builder.finish().meta.count;
  builder = new ShardBuilder(init.preprocess, init.shardSize);
  return {
    type: 'done',
    examples,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

// Messages are handled one after another: a chunk's records must be in the builder before `end`.
let queue = Promise.resolve();
parentPort?.on('message', (message: WriterMessage) => {
  queue = queue.then(() =>
    handle(message).then(post, (error: unknown) =>
      post({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    ),
  );
});
