import { LAYER_NAMES } from './layers.js';
import { type CpuProfile, selfTimeByPackage, timeByLayer } from './profile.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});
const modules = 'file:///app/node_modules';

/** Seven samples of 100 µs: two in helmet's setHeader, a socket write, express, GC, idle and Node's HTTP server. */
const PROFILE: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 7, 8]),
    frame(2, 'parserOnIncoming', 'node:_http_server', [3]),
    frame(3, 'handle', `${modules}/express/lib/application.js`, [4, 6]),
    frame(4, 'helmetMiddleware', `${modules}/helmet/index.mjs`, [5]),
    frame(5, 'setHeader', 'node:_http_outgoing'),
    frame(6, 'Socket._write', 'node:net', [9]),
    frame(7, '(garbage collector)', ''),
    frame(8, '(idle)', ''),
    frame(9, 'writeUtf8String', ''),
  ],
  startTime: 0,
  samples: [5, 5, 9, 3, 7, 8, 2],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100],
};

describe('timeByLayer', () => {
  it("charges each sample to the innermost layer on its stack, Node's own code to its caller, idle to none", () => {
    const perRequest = Object.fromEntries(timeByLayer(PROFILE, 2).map((layer) => [layer.name, layer.usPerRequest]));
    expect(perRequest).toEqual({
      ...Object.fromEntries(Object.values(LAYER_NAMES).map((name) => [name, 0])),
      [LAYER_NAMES.securityHeaders]: 100,
      [LAYER_NAMES.sockets]: 50,
      [LAYER_NAMES.framework]: 50,
      [LAYER_NAMES.gc]: 50,
      [LAYER_NAMES.node]: 50,
    });
  });

  it('counts only the samples in the measured window when one is given', () => {
    const usOf = (name: string, until: number) =>
      timeByLayer(PROFILE, 1, { fromUs: 0, toUs: until }).find((layer) => layer.name === name)?.usPerRequest;
    expect(usOf(LAYER_NAMES.securityHeaders, 250)).toBe(200);
    expect(usOf(LAYER_NAMES.sockets, 250)).toBe(0);
    expect(usOf(LAYER_NAMES.sockets, 300)).toBe(100);
  });
});

describe('selfTimeByPackage', () => {
  it('sums self time by package, shares of the busy time (idle and root left out), largest first', () => {
    expect(selfTimeByPackage(PROFILE)).toEqual([
      { name: 'node:_http_outgoing', ms: 0.2, share: 2 / 6 },
      { name: '(V8 builtins, native)', ms: 0.1, share: 1 / 6 },
      { name: 'express', ms: 0.1, share: 1 / 6 },
      { name: '(garbage collector)', ms: 0.1, share: 1 / 6 },
      { name: 'node:_http_server', ms: 0.1, share: 1 / 6 },
    ]);
  });
});
