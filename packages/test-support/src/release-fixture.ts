/**
 * Test support: real releases (trained for a few steps with the tiny preset, exported to ONNX with a
 * TF.js-computed self-test), Ed25519 keys, re-signed manifest variants, and a small HTTP file server.
 * Only tests import it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type DeviceManifest, signDeviceManifest, type UnsignedDeviceManifest } from '@heartline/model/onnx';
import {
  ed25519Signer,
  exportRelease,
  generateSigningKeys,
  selectBackend,
  trainRelease,
} from '@heartline/trainer';

/** A release exported to ONNX with its signed manifest. */
export interface ReleaseFixture {
  readonly dir: string;
  readonly release: string;
  readonly onnx: Uint8Array;
  readonly manifest: DeviceManifest;
}

export { generateSigningKeys };

/** Trains (a few steps) and exports a release into `dir`, signed with `privateKeyPem`. */
export async function makeRelease(dir: string, seed: number, privateKeyPem: string): Promise<ReleaseFixture> {
  await selectBackend('wasm', { log: () => undefined });
  await trainRelease({
    out: dir,
    preset: 'tiny',
    dataDirs: [],
    pairedReports: [],
    steps: 2,
    synthetic: 24,
    seed,
  });
  const [variant] = await exportRelease(dir, { sign: ed25519Signer(privateKeyPem) });
  const onnx = new Uint8Array(await readFile(join(dir, variant!.file)));
  const manifest = variant!.manifest as DeviceManifest;
  return { dir, release: manifest.release, onnx, manifest };
}

/** The manifest with `changes` applied, signed again with `privateKeyPem` (a signature that verifies). */
export async function resign(
  manifest: DeviceManifest,
  changes: Partial<UnsignedDeviceManifest>,
  privateKeyPem: string,
): Promise<DeviceManifest> {
  const { signature: _old, ...unsigned } = manifest;
  return signDeviceManifest({ ...unsigned, ...changes }, ed25519Signer(privateKeyPem));
}

/** A loopback HTTP server serving byte arrays by path. */
export interface FileServer {
  /** The URL of `name`. */
  url(name: string): string;
  /** Serves `bytes` at `/name`. */
  set(name: string, bytes: Uint8Array): void;
  /** GET requests so far, by path. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a FileServer on a free loopback port. */
export async function serveFiles(): Promise<FileServer> {
  const files = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.byteLength });
    res.end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    set: (name, bytes) => files.set(`/${name}`, bytes),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
