import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { DeviceManifest } from '@heartline/model/onnx';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { integerOption } from '../option-values.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline device --broker URL --id ID --secret S --source SPEC --public-key FILE
                        [--ca FILE] [--cert FILE --key FILE]
                        [--state DIR] [--model FILE.onnx] [--channel NAME] [--realtime|--fast]
                        [--speed X] [--windows N] [--loop] [--lead-off LEAD@WINDOW]
                        [--max-queue-bytes N] [--flaky-network EVERY:DOWN] [--rate 100|500]
                        [--mqtt-version 4|5]

Runs a heartline device: reads ECG from SPEC, encodes each 10 s window on the device (ONNX Runtime) and
publishes only the embedding over MQTT (QoS 1), queueing on disk while offline. Follows the signed
release manifest of its channel and swaps models after verifying and self-testing them.

options:
  --broker URL         mqtts://host:port (TLS) or mqtt://host:port; also wss://host:port/mqtt, ws://…
  --ca FILE            CA certificate (PEM) the cloud's certificate must chain to: the broker (mqtts,
                       wss) and HTTPS model downloads are verified against it and refused otherwise
  --cert, --key FILE   this device's client certificate and key (PEM) for mutual TLS (issued by
                       heartline device-cert; its CN is the device id)
  --id ID              device id (also the MQTT username)
  --secret S           the device's secret (the MQTT password; not needed with --cert)
  --source SPEC        wfdb:PATH | ptbxl:DIR | synthetic[:SEED][:CODES] (e.g. synthetic:7:AFIB)
  --public-key FILE    Ed25519 public key (PEM) releases must be signed with
  --state DIR          queue, sequence number and models (default .heartline/device-ID)
  --model FILE.onnx    provisioned model, used when the state holds none; a device-manifest*.json
                       beside it (as \`heartline export\` writes) is verified and self-tested
  --channel NAME       release channel to follow (default stable)
  --realtime | --fast  pace replay like the recording, or as fast as possible (default: realtime for
                       synthetic, fast for files)
  --speed X            real-time pacing X times faster than the recording (default 1)
  --windows N          stop after N windows are encoded and acknowledged
  --loop               replay files again from the start when they end
  --lead-off L@W       synthetic: lead L falls off from window W on (e.g. V3@5)
  --rate 100|500       ptbxl: which waveform copy to replay (default 500, what a recorder delivers)
  --max-queue-bytes N  disk bound of the queue (default 50000000); the oldest messages are dropped
  --flaky-network E:D  simulate a bad network: every E seconds the link drops (the broker sees a lost
                       connection) and stays down for D seconds (e.g. 20:6)
  --mqtt-version 4|5   MQTT 3.1.1 (default; the embedded broker) or 5 (an external broker such as
                       mosquitto: a message it took while no cloud instance was subscribed is kept
                       and sent again instead of counted as delivered)`;

/** The manifest `heartline export` writes beside an ONNX file, when present. */
async function siblingManifest(modelPath: string): Promise<DeviceManifest | undefined> {
  const name = basename(modelPath);
  const variant = /^ecg-encoder(-int8|-fp16)?\.onnx$/.exec(name)?.[1] ?? '';
  const path = join(dirname(modelPath), `device-manifest${variant}.json`);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DeviceManifest;
  } catch {
    return undefined;
  }
}

function printer(io: CommandIo): (line: string, final?: boolean) => void {
  let lastAt = 0;
  let pending: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  return (line, final = false) => {
    pending = line;
    const flush = () => {
      timer = undefined;
      lastAt = Date.now();
      if (pending !== undefined) io.stdout(`${pending}\n`);
      pending = undefined;
    };
    if (final) {
      clearTimeout(timer);
      flush();
    } else if (!timer) {
      timer = setTimeout(flush, Math.max(0, lastAt + 1000 - Date.now()));
    }
  };
}

/** `heartline device`: runs a device against an MQTT broker. */
export const deviceCommand: Command = {
  name: 'device',
  summary: 'run a device: ECG source → on-device encoder → MQTT, with signed model updates',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      broker: { type: 'string' },
      id: { type: 'string' },
      secret: { type: 'string' },
      source: { type: 'string' },
      'public-key': { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      state: { type: 'string' },
      model: { type: 'string' },
      channel: { type: 'string' },
      realtime: { type: 'boolean' },
      fast: { type: 'boolean' },
      windows: { type: 'string' },
      loop: { type: 'boolean' },
      'lead-off': { type: 'string' },
      'max-queue-bytes': { type: 'string' },
      speed: { type: 'string' },
      'flaky-network': { type: 'string' },
      rate: { type: 'string' },
      'mqtt-version': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    for (const flag of ['broker', 'id', 'source', 'public-key'] as const) {
      if (!values[flag]) throw new UsageError(`--${flag} is required`);
    }
    // With a client certificate (mutual TLS) the certificate is the credential; else the secret is.
    if (!values.secret && values.cert === undefined) throw new UsageError('--secret is required');
    if ((values.cert === undefined) !== (values.key === undefined))
      throw new UsageError('--cert and --key go together');
    if (/^(mqtts|wss):/.test(values.broker!) && values.ca === undefined && values.cert === undefined)
      io.stderr('device: no --ca given: the broker is verified against the system CAs\n');
    if (values.realtime && values.fast) throw new UsageError('--realtime and --fast exclude each other');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.id!)) {
      throw new InvalidArgumentError('--id', values.id, 'must be 1–64 characters of [A-Za-z0-9._-]');
    }
    const windows = integerOption('--windows', values.windows, 1);
    const maxQueueBytes = integerOption('--max-queue-bytes', values['max-queue-bytes'], 1);
    const speed = values.speed === undefined ? undefined : Number(values.speed);
    if (speed !== undefined && !(speed > 0))
      throw new UsageError(`--speed must be a positive number, got '${values.speed}'`);
    let leadOff: { lead: string; fromWindow: number } | undefined;
    if (values['lead-off'] !== undefined) {
      const match = /^([A-Za-z0-9]+)@(\d+)$/.exec(values['lead-off']);
      if (!match) throw new UsageError(`--lead-off must look like V3@5, got '${values['lead-off']}'`);
      leadOff = { lead: match[1]!, fromWindow: Number(match[2]) };
    }
    if (values.rate !== undefined && values.rate !== '100' && values.rate !== '500')
      throw new UsageError(`--rate must be 100 or 500, got '${values.rate}'`);
    const rate = values.rate === undefined ? undefined : values.rate === '100' ? 100 : 500;
    let flakyNetwork: { everyMs: number; downMs: number } | undefined;
    if (values['flaky-network'] !== undefined) {
      const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(values['flaky-network']);
      const everyMs = Number(match?.[1]) * 1000;
      const downMs = Number(match?.[2]) * 1000;
      if (!match || !(everyMs > downMs) || !(downMs > 0))
        throw new UsageError(
          `--flaky-network must be EVERY:DOWN seconds with EVERY > DOWN > 0 (e.g. 20:6), got '${values['flaky-network']}'`,
        );
      flakyNetwork = { everyMs, downMs };
    }
    // Loaded here, not at the top: the native ONNX Runtime should load only for this command.
    const { Device, openSource, parseSourceSpec, readPublicKey, statusLine } = await import(
      '@heartline/device'
    );
    const { OnnxNodeEncoder } = await import('@heartline/device/runtime');
    const spec = parseSourceSpec(values.source!);
    const pacing = values.realtime
      ? 'realtime'
      : values.fast
        ? 'fast'
        : spec.kind === 'synthetic'
          ? 'realtime'
          : 'fast';
    const source = openSource(spec, {
      pacing,
      ...(speed ? { speed } : {}),
      ...(values.loop ? { loop: true } : {}),
      ...(leadOff ? { leadOff } : {}),
      ...(rate ? { rate } : {}),
    });
    const publicKey = readPublicKey(await readFile(values['public-key']!, 'utf8'));
    let model: { release: string; bytes: Uint8Array; manifest?: DeviceManifest } | undefined;
    if (values.model) {
      const bytes = new Uint8Array(await readFile(values.model));
      const manifest = await siblingManifest(values.model);
      model = {
        release: manifest?.release ?? basename(values.model, '.onnx'),
        bytes,
        ...(manifest ? { manifest } : {}),
      };
    }
    const tls =
      values.ca !== undefined || values.cert !== undefined
        ? {
            ...(values.ca !== undefined ? { ca: await readFile(values.ca, 'utf8') } : {}),
            ...(values.cert !== undefined ? { cert: await readFile(values.cert, 'utf8') } : {}),
            ...(values.key !== undefined ? { key: await readFile(values.key, 'utf8') } : {}),
          }
        : undefined;
    const mqttVersionText = values['mqtt-version'];
    if (mqttVersionText !== undefined && mqttVersionText !== '4' && mqttVersionText !== '5')
      throw new UsageError(`--mqtt-version must be 4 or 5, got '${mqttVersionText}'`);
    const mqttVersion = mqttVersionText === undefined ? undefined : (Number(mqttVersionText) as 4 | 5);
    const print = printer(io);
    const device = new Device({
      deviceId: values.id!,
      secret: values.secret ?? '',
      brokerUrl: values.broker!,
      ...(tls ? { tls } : {}),
      source,
      stateDir: values.state ?? join('.heartline', `device-${values.id}`),
      publicKey,
      createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
      ...(values.channel ? { channel: values.channel } : {}),
      ...(model ? { model } : {}),
      ...(windows ? { windows } : {}),
      ...(maxQueueBytes ? { maxQueueBytes } : {}),
      ...(flakyNetwork ? { flakyNetwork } : {}),
      ...(mqttVersion ? { mqttVersion } : {}),
      onStatus: (status) => print(statusLine(status)),
      log: (line) => io.stderr(`device: ${line}\n`),
    });
    await device.start();
    if (!device.status.release) io.stderr(`device: no model yet; waiting for the manifest of the channel\n`);
    const stopped = new Promise<void>((resolve) => {
      const onSignal = () => resolve();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    });
    await Promise.race([device.idle(), stopped]);
    await device.stop();
    print(statusLine(device.status), true);
    return 0;
  },
};
