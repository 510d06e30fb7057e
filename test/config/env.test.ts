import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

describe('HTTP listener settings', () => {
  it('an empty port (e.g. `OPS_PORT=` from a compose file) means unset, not port 0', () => {
    const c = loadConfig({ HTTP_PORT: '', OPS_PORT: '  ', LOG_LEVEL: 'silent' });
    expect(c.http.port).toBeUndefined();
    expect(c.http.ops).toBeUndefined();
  });

  it('OPS_PORT gives a separate listener, on 127.0.0.1 unless OPS_HOST says otherwise', () => {
    expect(loadConfig({ HTTP_PORT: '8080', OPS_PORT: '9090', LOG_LEVEL: 'silent' }).http).toEqual({ port: 8080, host: '127.0.0.1', ops: { port: 9090, host: '127.0.0.1' } });
    expect(loadConfig({ OPS_PORT: '9090', OPS_HOST: '10.0.0.5', LOG_LEVEL: 'silent' }).http.ops).toEqual({ port: 9090, host: '10.0.0.5' });
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ OPS_PORT: '70000', LOG_LEVEL: 'silent' })).toThrow(/OPS_PORT/);
  });
});
