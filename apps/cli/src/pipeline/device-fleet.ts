import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** One simulated device of the demo fleet: its id and what it records. */
export interface FleetDevice {
  readonly id: string;
  /** `--source` spec, e.g. `synthetic:3:AFIB`. */
  readonly source: string;
  /** Release channel the device follows. */
  readonly channel: 'stable' | 'canary';
  /** Extra device flags (e.g. a lead falling off, a flaky network). */
  readonly extra?: readonly string[];
  readonly describe: string;
}

/**
 * The demo fleet: different conditions; demo-1 follows the canary channel, demo-2 has a flaky network,
 * demo-3's V3 electrode falls off.
 */
export function demoFleet(count: number): FleetDevice[] {
  const all: FleetDevice[] = [
    { id: 'demo-1', source: 'synthetic:101', channel: 'canary', describe: 'mixed conditions, canary' },
    {
      id: 'demo-2',
      source: 'synthetic:102:AFIB',
      channel: 'stable',
      extra: ['--flaky-network', '20:6'],
      describe: 'atrial fibrillation, flaky network',
    },
    {
      id: 'demo-3',
      source: 'synthetic:103:CLBBB',
      channel: 'stable',
      extra: ['--lead-off', 'V3@4'],
      describe: 'LBBB, V3 falls off at window 4',
    },
    { id: 'demo-4', source: 'synthetic:104:IMI', channel: 'stable', describe: 'inferior MI' },
    { id: 'demo-5', source: 'synthetic:105:SBRAD', channel: 'stable', describe: 'sinus bradycardia' },
  ];
  return all.slice(0, Math.max(0, Math.min(count, all.length)));
}

/**
 * The fleet of `heartline start --dataset DIR`: the demo fleet's ids and channels, each device replaying
 * DIR's 100 Hz records (`--rate 100`: a real folder may have no 500 Hz copy) paced like a recorder
 * (`--realtime`, sped up by `--speed`), looping at the end. Each window carries its record's `ecg_id` as
 * study id and its patient, so the cloud links device cases to the folder's reports. A synthetic lead-off
 * cannot be applied to a recording, so demo-3 replays the folder as it is.
 */
export function datasetFleet(count: number, dir: string): FleetDevice[] {
  const replay = ['--rate', '100', '--realtime'];
  return demoFleet(count).map((device) => {
    const flaky = device.extra?.includes('--flaky-network') ?? false;
    return {
      id: device.id,
      source: `ptbxl:${dir}`,
      channel: device.channel,
      extra: flaky ? [...replay, ...device.extra!] : replay,
      describe: `replays the dataset${device.channel === 'canary' ? ', canary' : ''}${flaky ? ', flaky network' : ''}`,
    };
  });
}

/**
 * Starts each device as its own `heartline device` process (the same Node and TypeScript loader as this
 * process), streaming in accelerated real time; returns a stop function that ends them all.
 */
export function startFleet(
  devices: readonly { device: FleetDevice; secret: string }[],
  options: {
    broker: string;
    /** The CA certificate the devices verify the broker and downloads against (`--ca`). */
    caFile?: string;
    publicKeyFile: string;
    stateDir: string;
    speed: number;
    /**
     * MQTT protocol version. Default 3.1.1. On mosquitto use 5: a message sent while no cloud instance
     * is subscribed is refused ("no matching subscribers") and sent again, instead of being dropped.
     */
    mqttVersion?: 4 | 5;
    log: (line: string) => void;
  },
): { children: ChildProcess[]; stop: () => Promise<void> } {
  const script = process.argv[1]!;
  const children = devices.map(({ device, secret }) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        script,
        'device',
        '--broker',
        options.broker,
        '--id',
        device.id,
        // `=` form: an old secret may start with '-', which would read as an option.
        `--secret=${secret}`,
        '--source',
        device.source,
        '--public-key',
        options.publicKeyFile,
        ...(options.caFile ? ['--ca', options.caFile] : []),
        '--state',
        join(options.stateDir, device.id),
        '--speed',
        String(options.speed),
        '--loop',
        '--channel',
        device.channel,
        ...(options.mqttVersion === 5 ? ['--mqtt-version', '5'] : []),
        ...(device.extra ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let last = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      last = chunk.toString().trim().split('\n').at(-1) ?? last;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().trim().split('\n')) if (line) options.log(`[${device.id}] ${line}`);
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGTERM')
        options.log(`[${device.id}] exited (${signal ?? code}); last status: ${last}`);
    });
    return child;
  });
  return {
    children,
    stop: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        ),
      ).then(() => {}),
  };
}
