/**
 * The browser device's message journal in IndexedDB (database `heartline-outbox`, object store `messages`,
 * key [deviceId, seq]), so messages not yet acknowledged outlive a reload as the Node device's queue files
 * outlive a restart. Writes commit with `durability: 'strict'` before they count, as the file queue fsyncs.
 */
import type { MessageJournal } from '../core/memory-outbox.js';
import type { QueuedMessage } from '../core/ports.js';
import { OutboxStorageError } from '../errors.js';

const DATABASE = 'heartline-outbox';
const STORE = 'messages';

interface Row {
  readonly deviceId: string;
  readonly seq: number;
  readonly payload: Uint8Array;
}

function settle<T>(request: IDBRequest<T> | IDBOpenDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

/** Runs one request in its own transaction; resolves once the transaction committed. */
function transact<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const tx = db.transaction(STORE, mode, { durability: 'strict' });
  const committed = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new OutboxStorageError('IndexedDB transaction aborted'));
  });
  const result = settle(work(tx.objectStore(STORE)));
  return Promise.all([result, committed]).then(([value]) => value);
}

/** Opens the journal of `deviceId` (`factory`: default the page's `indexedDB`). */
export async function indexedDbJournal(
  deviceId: string,
  factory: IDBFactory = indexedDB,
): Promise<MessageJournal> {
  const open = factory.open(DATABASE, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: ['deviceId', 'seq'] });
  const db = await settle<IDBDatabase>(open);
  const mine = IDBKeyRange.bound([deviceId, 0], [deviceId, Number.MAX_SAFE_INTEGER]);
  return {
    load: async (): Promise<QueuedMessage[]> => {
      const rows = (await transact(db, 'readonly', (s) => s.getAll(mine))) as Row[];
      return rows.map((row) => ({ seq: row.seq, payload: new Uint8Array(row.payload) }));
    },
    put: async (message) => {
      const row: Row = { deviceId, seq: message.seq, payload: message.payload };
      await transact(db, 'readwrite', (s) => s.put(row));
    },
    delete: async (seq) => {
      await transact(db, 'readwrite', (s) => s.delete([deviceId, seq]));
    },
  };
}
