import { describe, expect, it } from 'vitest';
import { parseStdioArgs } from '../../src/mcp/stdio-args.js';
import { screenArguments } from '../../src/mcp/guard-transport.js';

describe('parseStdioArgs', () => {
  it('maps the flags to a caller and a data file', () => {
    expect(parseStdioArgs(['--customer', 'cus_001'])).toEqual({ caller: { kind: 'customer', customerId: 'cus_001' }, dataFile: undefined, help: false });
    expect(parseStdioArgs(['--staff', 'U123', '--data', 'tmp/db.json'])).toEqual({ caller: { kind: 'staff', staffId: 'U123' }, dataFile: 'tmp/db.json', help: false });
    expect(parseStdioArgs([]).caller).toEqual({ kind: 'anonymous' });
    expect(parseStdioArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--customer', 'cus_001', '--staff', 'U1'], /not both/],
    [['--customer'], /argument missing|--customer/],
    [['--customer', 'a b'], /needs an id/],
    [['--staff', 'x'.repeat(200)], /needs an id/],
    [['--bogus'], /Unknown option/],
    [['stray'], /positional|Unexpected argument/i],
    [['--data', ' '], /--data needs a file path/],
  ])('%j is refused with a usage hint', (argv, pattern) => {
    expect(() => parseStdioArgs(argv)).toThrow(pattern);
  });
});

describe('screenArguments', () => {
  it('passes plain JSON objects and a missing arguments field', () => {
    expect(screenArguments(undefined)).toBeUndefined();
    expect(screenArguments({ a: 'x', b: [1, { c: null }] })).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(screenArguments(JSON.parse('{"a":{"b":{"__proto__":{}}}}'))).toMatch(/"__proto__" is not allowed/);
    expect(screenArguments([1])).toMatch(/an array/);
    expect(screenArguments(null)).toMatch(/null/);
    expect(screenArguments({ d: new Date() })).toMatch(/plain JSON/);
    expect(screenArguments({ big: Array.from({ length: 20_000 }, () => 1) })).toMatch(/too large/);
  });
});
