/** `Device` with Node options: the name the CLI, the tests and the package's users construct it by. */
export type { NodeDeviceOptions as DeviceOptions } from './node-device.js';
export { NodeDevice as Device } from './node-device.js';
