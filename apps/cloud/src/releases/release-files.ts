/**
 * Release files shared through the database (table `release_files`), so every cloud instance can load a
 * release, and serve its files, whichever instance registered or trained it. An instance uses the folder
 * the release was registered from (`releases.dir`) when that folder holds the stored bytes (the machine
 * that registered it); otherwise a copy it materialises from the database into its cache
 * (`<dataDir>/release-cache/<id>/`, a temporary folder without a data directory): every file checked
 * against its stored size and sha256, then the folder checked as registration checks one
 * (`readReleaseDir`: manifest, weights size and sha256) and its manifest against the registered one.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ReleaseError } from '@heartline/model/errors';
import { ONNX_FILES, RELEASE_FILES, type ReleaseManifest, readReleaseDir } from '@heartline/trainer';
import { ReleaseFileError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import {
  listReleaseFiles,
  type ReleaseFile,
  type ReleaseFileInfo,
  readReleaseFile,
  storeReleaseFiles,
} from '../storage/release-files.js';
import { type ReleaseRow, releasesWithoutFiles } from '../storage/releases.js';

/** The files of a release directory the database keeps: the release's own, and what rollouts export. */
export const SHARED_RELEASE_FILES: readonly string[] = [
  ...Object.values(RELEASE_FILES),
  ...Object.values(ONNX_FILES).flatMap((f) => [f.onnx, f.manifest]),
];

/** Release ids and file names become paths: plain names only. */
const PLAIN_NAME = /^[A-Za-z0-9._-]{1,128}$/;

function plainName(name: string): string {
  if (!PLAIN_NAME.test(name) || name === '.' || name === '..') {
    throw new RangeError(`release file or id '${name}' is not a plain name ([A-Za-z0-9._-])`);
  }
  return name;
}

function fileOf(name: string, bytes: Uint8Array): ReleaseFile {
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength, bytes };
}

async function readOptionalBytes(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether two manifests are the same release (a registered manifest comes back from jsonb: key order aside). */
function sameManifest(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/**
 * Reads the shared files of a release directory and verifies it as registration does (`readReleaseDir`),
 * then that the bytes read are the ones verified (the folder did not change in between).
 */
export async function readReleaseDirFiles(
  dir: string,
): Promise<{ manifest: ReleaseManifest; files: ReleaseFile[] }> {
  const files: ReleaseFile[] = [];
  for (const name of SHARED_RELEASE_FILES) {
    const bytes = await readOptionalBytes(join(dir, name));
    if (bytes) files.push(fileOf(name, bytes));
  }
  const { manifest } = await readReleaseDir(dir);
  const weights = files.find((f) => f.name === manifest.weights.file);
  const stored = files.find((f) => f.name === RELEASE_FILES.manifest);
  if (
    weights?.sha256 !== manifest.weights.sha256 ||
    !stored ||
    !sameManifest(JSON.parse(Buffer.from(stored.bytes).toString('utf8')), manifest)
  ) {
    throw new ReleaseError(
      dir,
      `changed while it was read, or its weights file is not ${RELEASE_FILES.weights}: register it again`,
    );
  }
  return { manifest, files };
}

/** Whether `dir` holds every stored file with the stored size and sha256. */
async function holdsFiles(dir: string, stored: readonly ReleaseFileInfo[]): Promise<boolean> {
  for (const info of stored) {
    const bytes = await readOptionalBytes(join(dir, info.name)).catch(() => undefined);
    if (!bytes || bytes.byteLength !== info.size || fileOf(info.name, bytes).sha256 !== info.sha256)
      return false;
  }
  return true;
}

/** Options of {@link ReleaseFiles}. */
export interface ReleaseFilesOptions {
  readonly db: SqlDriver;
  /**
   * Folder this instance materialises releases into, one subfolder per release. Default: a temporary
   * folder made on first need and removed by `close()`.
   */
  readonly cacheDir?: string | undefined;
  /** Log lines (backfill). Default none. */
  readonly log?: ((line: string) => void) | undefined;
}

/** One instance's access to the release files every instance shares through the database. */
export class ReleaseFiles {
  private readonly pending = new Map<string, Promise<string>>();
  private tempRoot: Promise<string> | undefined;

  constructor(private readonly options: ReleaseFilesOptions) {}

  /** Opens the release files and backfills those of releases registered before they were stored ({@link backfill}). */
  static async open(options: ReleaseFilesOptions): Promise<ReleaseFiles> {
    const files = new ReleaseFiles(options);
    await files.backfill();
    return files;
  }

  /**
   * A local folder holding the release: the one it was registered from when it holds the stored bytes,
   * else this instance's verified copy from the database (made now if missing or stale). A release whose
   * files the database lacks (registered before they were stored, never backfilled) has only its own folder.
   * Throws `ReleaseFileError` for a stored file that is not what was stored, `ReleaseError` for a copy
   * that does not verify as the registered release.
   */
  localDir(row: ReleaseRow): Promise<string> {
    let dir = this.pending.get(row.id);
    if (!dir) {
      dir = this.resolveDir(row).finally(() => this.pending.delete(row.id));
      this.pending.set(row.id, dir);
    }
    return dir;
  }

  /**
   * One file of a release: the database's bytes, checked against their size and sha256
   * (`ReleaseFileError` when they differ), or, for a file the database lacks, the registered folder's;
   * undefined when neither has it.
   */
  async read(row: ReleaseRow, name: string): Promise<Uint8Array | undefined> {
    const stored = await readReleaseFile(this.options.db, row.id, plainName(name));
    if (stored) return checked(row.id, stored);
    return readOptionalBytes(join(row.dir, name));
  }

  /** Stores files of `dir` as the release's (replacing older ones): what a rollout exported. */
  async store(release: string, dir: string, names: readonly string[]): Promise<void> {
    const files: ReleaseFile[] = [];
    for (const name of names)
      files.push(fileOf(name, new Uint8Array(await readFile(join(dir, plainName(name))))));
    await this.options.db.transaction((tx) => storeReleaseFiles(tx, release, files, { replace: true }));
  }

  /**
   * Stores the files of every release registered before they were kept in the database whose folder is
   * on this machine, verified as at registration; idempotent, and safe with several instances at once.
   * Returns the releases stored.
   */
  async backfill(): Promise<string[]> {
    const { db, log } = this.options;
    const stored: string[] = [];
    for (const row of await releasesWithoutFiles(db)) {
      if (!existsSync(row.dir)) continue; // another machine's: the instance there stores it
      try {
        const { manifest, files } = await readReleaseDirFiles(row.dir);
        if (!sameManifest(manifest, row.manifest)) {
          throw new ReleaseError(row.dir, `holds another release than the ${row.id} registered from it`);
        }
        await db.transaction((tx) => storeReleaseFiles(tx, row.id, files, { replace: false }));
        log?.(`cloud: release ${row.id}: ${files.length} files stored in the database from ${row.dir}`);
        stored.push(row.id);
      } catch (error) {
        log?.(`cloud: release ${row.id}: files not stored in the database: ${(error as Error).message}`);
      }
    }
    return stored;
  }

  /** Removes the temporary cache folder, if one was made (a data directory's cache stays). */
  async close(): Promise<void> {
    const root = this.tempRoot;
    this.tempRoot = undefined;
    if (root) await rm(await root, { recursive: true, force: true });
  }

  private async resolveDir(row: ReleaseRow): Promise<string> {
    const stored = await listReleaseFiles(this.options.db, row.id);
    if (stored.length === 0 || (await holdsFiles(row.dir, stored))) return row.dir;
    const root = await this.cacheRoot();
    const dir = join(root, plainName(row.id));
    if (await holdsFiles(dir, stored)) return dir;
    // Built aside and renamed into place: a folder under the release's name is always complete.
    const building = await mkdtemp(join(root, `.${row.id}-`));
    try {
      for (const info of stored) {
        const file = await readReleaseFile(this.options.db, row.id, info.name);
        if (!file) throw new ReleaseFileError(row.id, info.name, 'was removed while it was read');
        await writeFile(join(building, plainName(info.name)), checked(row.id, file));
      }
      const { manifest } = await readReleaseDir(building);
      if (!sameManifest(manifest, row.manifest)) {
        throw new ReleaseError(building, `holds another release than the ${row.id} registered`);
      }
      await rm(dir, { recursive: true, force: true });
      await rename(building, dir);
      return dir;
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      throw error;
    }
  }

  private async cacheRoot(): Promise<string> {
    const { cacheDir } = this.options;
    if (cacheDir !== undefined) {
      await mkdir(cacheDir, { recursive: true, mode: 0o700 });
      return cacheDir;
    }
    this.tempRoot ??= mkdtemp(join(tmpdir(), 'heartline-release-cache-'));
    return this.tempRoot;
  }
}

/** The stored bytes when they are what was stored; `ReleaseFileError` otherwise. */
function checked(release: string, file: ReleaseFile): Uint8Array {
  if (file.bytes.byteLength !== file.size) {
    throw new ReleaseFileError(
      release,
      file.name,
      `has ${file.bytes.byteLength} bytes, ${file.size} were stored`,
    );
  }
  const actual = fileOf(file.name, file.bytes).sha256;
  if (actual !== file.sha256) {
    throw new ReleaseFileError(
      release,
      file.name,
      `has sha256 ${actual.slice(0, 12)}…, ${file.sha256.slice(0, 12)}… was stored`,
    );
  }
  return file.bytes;
}
