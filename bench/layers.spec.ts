import { APP_PACKAGE, layerOf, packageOf } from './layers.js';

const repo = 'file:///home/me/azure-integrated-auth';
const modules = `${repo}/node_modules`;

describe('layerOf', () => {
  it("classifies the app's built code by its folder, whatever the file is called", () => {
    expect(layerOf(`${repo}/dist/rate-limit/any-new-store.js`, 'hit')).toBe('rateLimit');
    expect(layerOf(`${repo}/dist/third-party/third-party.client.js`, 'getNumber')).toBe('thirdParty');
    expect(layerOf(`${repo}/dist/third-party/a-file-added-later.js`, 'f')).toBe('thirdParty');
    expect(layerOf(`${repo}/dist/common/deadline.js`, 'untilAborted')).toBe('app');
    expect(layerOf(`${repo}/dist/codes/codes.service.js`, 'issue')).toBe('app');
    expect(layerOf(`${repo}/dist/main.js`, '')).toBe('app');
    expect(layerOf(`${repo}/bench/minimal.ts`, 'handle')).toBe('app');
  });

  it('classifies packages by name, a dist/ folder inside a package included', () => {
    expect(layerOf(`${modules}/cockatiel/dist/esm/RetryPolicy.js`, 'execute')).toBe('resilience');
    expect(layerOf(`${modules}/axios/lib/core/Axios.js`, 'request')).toBe('thirdParty');
    expect(layerOf(`${modules}/@nestjs/axios/dist/http.service.js`, 'get')).toBe('thirdParty');
    expect(layerOf(`${modules}/@nestjs/axios/node_modules/axios/dist/node/axios.cjs`, 'f')).toBe('thirdParty');
    expect(layerOf(`${modules}/helmet/index.mjs`, 'helmetMiddleware')).toBe('securityHeaders');
    expect(layerOf(`${modules}/pino/lib/proto.js`, 'write')).toBe('logging');
    expect(layerOf(`${modules}/@redis/client/dist/lib/client/index.js`, 'f')).toBe('rateLimit');
    expect(layerOf(`${modules}/@azure/storage-queue/dist/esm/QueueClient.js`, 'f')).toBe('azure');
    expect(layerOf(`${modules}/@typespec/ts-http-runtime/dist/esm/pipeline.js`, 'f')).toBe('azure');
    expect(layerOf(`${modules}/@nestjs/core/router/router-proxy.js`, 'f')).toBe('framework');
    expect(layerOf(`${modules}/undici/lib/dispatcher/client.js`, 'f')).toBe('undici');
    expect(layerOf(`${modules}/left-pad/index.js`, 'f')).toBe('other');
  });

  it("leaves Node's and V8's own code to its caller, except socket I/O and the garbage collector", () => {
    expect(layerOf('node:_http_server', 'parserOnIncoming')).toBeUndefined();
    expect(layerOf('', 'writeUtf8String')).toBeUndefined();
    expect(layerOf('node:net', 'Socket._write')).toBe('sockets');
    expect(layerOf('', '(garbage collector)')).toBe('gc');
  });
});

describe('packageOf', () => {
  it('names the package, the scope included, the innermost node_modules winning', () => {
    expect(packageOf(`${modules}/@nestjs/axios/node_modules/axios/index.js`, 'f')).toBe('axios');
    expect(packageOf(`${modules}/@azure/identity/dist/esm/index.js`, 'f')).toBe('@azure/identity');
    expect(packageOf(`${repo}/dist/server.js`, 'f')).toBe(APP_PACKAGE);
    expect(packageOf('node:internal/streams/writable', 'f')).toBe('node:internal/streams');
    expect(packageOf('', '(program)')).toBe('(program)');
  });
});
