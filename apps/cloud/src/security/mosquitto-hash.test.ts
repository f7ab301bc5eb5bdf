import { describe, expect, it } from 'vitest';
import { mosquittoHash } from './mosquitto-hash.js';

describe('mosquittoHash', () => {
  it('reproduces a line written by mosquitto_passwd 2.0 when given its salt', () => {
    // Written by `mosquitto_passwd -b pw dev1 secret1` (mosquitto 2.0.11).
    const line =
      '$7$101$yujZ/yWJigAmcVyS$m7KxrGvRv31U4RHd081oC9rVBJMiBcQzMfT95CpqzTHIAm60chntU7PJPUR8VV3IBCEzSwPv/Y/XrbHBHBTGhg==';
    const salt = Buffer.from(line.split('$')[3]!, 'base64');
    expect(mosquittoHash('secret1', salt)).toBe(line);
  });

  it('differs when the secret differs', () => {
    const salt = Buffer.alloc(12, 7);
    expect(mosquittoHash('a', salt)).not.toBe(mosquittoHash('b', salt));
  });
});
