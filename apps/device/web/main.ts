/**
 * The browser device page (served by the cloud at `/device/`): a form for the device's credentials and
 * source, then the device core in the page (see `WebDevice`), with the live trace, the status
 * and the messages sent. The onnxruntime-web .wasm files are served next to the page at `./ort/`.
 */
import './style.css';
import { MODELLED_CODES } from '@heartline/ecg/synth';
import type { DeviceStatus } from '../src/device-state.js';
import { DownloadError } from '../src/errors.js';
import type { PipelineResult } from '../src/pipeline.js';
import { OnnxWebEncoder } from '../src/runtime/onnx-web-runtime.js';
import type { EcgSource, EcgWindow, SourceOptions } from '../src/sources/ecg-source.js';
import { syntheticSource } from '../src/sources/synthetic-source.js';
import { wfdbBytesSource } from '../src/sources/wfdb-bytes-source.js';
import { importEd25519PublicKey } from '../src/updates/web-crypto.js';
import { type SentMessage, storageSequence, WebDevice } from '../src/web-device.js';
import { drawTrace, type TraceLayout } from './trace-canvas.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const form = element<HTMLFormElement>('device-form');
const deviceIdInput = element<HTMLInputElement>('device-id');
const secretInput = element<HTMLInputElement>('secret');
const channelInput = element<HTMLInputElement>('channel');
const sourceKind = element<HTMLSelectElement>('source-kind');
const conditionSelect = element<HTMLSelectElement>('condition');
const filesInput = element<HTMLInputElement>('wfdb-files');
const speedSelect = element<HTMLSelectElement>('speed');
const layoutSelect = element<HTMLSelectElement>('layout');
const connectButton = element<HTMLButtonElement>('connect');
const startButton = element<HTMLButtonElement>('start');
const stopButton = element<HTMLButtonElement>('stop');
const errorBox = element<HTMLParagraphElement>('error');
const canvas = element<HTMLCanvasElement>('trace');
const sentBody = element<HTMLTableElement>('sent-log').tBodies[0] as HTMLTableSectionElement;
const logList = element<HTMLOListElement>('log');

const MAX_ROWS = 50;
let device: WebDevice | undefined;
let lastWindow: { window: EcgWindow; mask: Uint8Array | undefined } | undefined;

for (const code of ['(random)', ...MODELLED_CODES]) conditionSelect.add(new Option(code, code));

function showError(message: string | undefined): void {
  errorBox.hidden = message === undefined;
  errorBox.textContent = message ?? '';
}

function log(line: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${line}`;
  logList.prepend(item);
  while (logList.children.length > 200) logList.lastElementChild?.remove();
}

function setText(id: string, text: string): void {
  element(id).textContent = text;
}

function showStatus(s: DeviceStatus): void {
  setText('status-connection', s.connected ? 'connected' : 'disconnected');
  setText('status-release', s.release ?? 'waiting for the channel manifest');
  setText('status-encoded', `${s.encoded} (skipped ${s.skipped})`);
  setText('status-sent', String(s.sent));
  setText('status-queue', `${s.queued}${s.dropped ? ` (dropped ${s.dropped})` : ''}`);
  setText('status-seq', String(s.nextSeq));
  setText('status-quality', s.quality === undefined ? '–' : s.quality.toFixed(2));
  startButton.disabled = !s.connected;
  stopButton.disabled = !device?.running;
}

function showSent(message: SentMessage): void {
  const row = sentBody.insertRow(0);
  const cells = [
    String(message.seq),
    String(message.bytes),
    message.release,
    new Date(message.t0).toISOString(),
  ];
  for (const text of cells) row.insertCell().textContent = text;
  while (sentBody.rows.length > MAX_ROWS) sentBody.deleteRow(-1);
}

function maskOf(result: PipelineResult): Uint8Array | undefined {
  if (!result.ok) return undefined;
  const bits = result.window.message.leadMask;
  return Uint8Array.from({ length: 12 }, (_, i) => (bits >> i) & 1);
}

function redraw(): void {
  if (lastWindow)
    drawTrace(canvas, lastWindow.window.signal, layoutSelect.value as TraceLayout, lastWindow.mask);
}

async function readFiles(list: FileList | null): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const file of Array.from(list ?? [])) files.set(file.name, new Uint8Array(await file.arrayBuffer()));
  return files;
}

async function openSource(): Promise<EcgSource> {
  const pace: SourceOptions =
    speedSelect.value === 'fast'
      ? { pacing: 'fast' }
      : { pacing: 'realtime', speed: Number(speedSelect.value) };
  if (sourceKind.value === 'wfdb') {
    const files = await readFiles(filesInput.files);
    return wfdbBytesSource(files, undefined, { ...pace, loop: true });
  }
  const condition = conditionSelect.value;
  return syntheticSource({
    ...pace,
    seed: Date.now() % 100_000,
    ...(condition === '(random)' ? {} : { conditions: [condition] }),
  });
}

async function signingKey(): Promise<CryptoKey> {
  const response = await fetch('/api/v1/signing-key');
  if (!response.ok) throw new DownloadError(`GET /api/v1/signing-key: HTTP ${response.status}`);
  const body = (await response.json()) as { publicKeyPem?: unknown };
  if (typeof body.publicKeyPem !== 'string')
    throw new DownloadError('GET /api/v1/signing-key: no publicKeyPem');
  return importEd25519PublicKey(body.publicKeyPem);
}

async function connect(): Promise<void> {
  showError(undefined);
  connectButton.disabled = true;
  await device?.stop();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ortBase = new URL('./ort/', location.href).href;
  const next = new WebDevice({
    deviceId: deviceIdInput.value.trim(),
    secret: secretInput.value,
    channel: channelInput.value.trim() || 'stable',
    brokerUrl: `${scheme}://${location.host}/mqtt`,
    publicKey: await signingKey(),
    createRuntime: (bytes, options) =>
      OnnxWebEncoder.create(bytes, { ...options, threads: 1, wasmPaths: ortBase }),
    sequence: storageSequence(localStorage),
    onStatus: showStatus,
    onSent: showSent,
    onWindow: (window, result) => {
      lastWindow = { window, mask: maskOf(result) };
      redraw();
    },
    log,
  });
  device = next;
  try {
    await next.start();
    await next.connected();
  } catch (error) {
    device = undefined;
    await next.stop().catch(() => undefined);
    throw error;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  connect()
    .catch((error: unknown) => {
      showError(error instanceof Error ? error.message : String(error));
      showStatus({
        deviceId: deviceIdInput.value,
        channel: channelInput.value.trim() || 'stable',
        online: false,
        connected: false,
        release: undefined,
        previousRelease: undefined,
        encoded: 0,
        skipped: 0,
        sent: 0,
        queued: 0,
        dropped: 0,
        nextSeq: 0,
        lastWindowT0: undefined,
        quality: undefined,
        update: undefined,
        commands: 0,
        commandsRefused: 0,
        lastCommand: undefined,
      });
    })
    .finally(() => {
      connectButton.disabled = false;
    });
});

startButton.addEventListener('click', () => {
  showError(undefined);
  openSource()
    .then((source) => device?.read(source))
    .catch((error: unknown) => showError(error instanceof Error ? error.message : String(error)));
});

stopButton.addEventListener('click', () => {
  void device?.stopSource();
});

layoutSelect.addEventListener('change', redraw);
window.addEventListener('pagehide', () => {
  void device?.stop();
});
