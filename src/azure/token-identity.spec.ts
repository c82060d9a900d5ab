import { mintJwt } from '../../test/doubles/jwt.js';
import { describeTokenIdentity } from './token-identity.js';

const claims = (extra: object) =>
  mintJwt({
    aud: 'https://vault.azure.net',
    iss: 'https://sts.windows.net/t/',
    tid: 't',
    oid: 'object-1',
    appid: 'client-1',
    idtyp: 'app',
    iat: 0,
    nbf: 0,
    exp: 1,
    ...extra,
  });

describe('describeTokenIdentity', () => {
  it.each([
    [
      {
        xms_mirid:
          '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-codes',
      },
      'user-assigned managed identity id-codes (client id client-1)',
    ],
    [
      { xms_mirid: '/subscriptions/s/providers/Microsoft.Web/sites/app-codes' },
      'system-assigned managed identity app-codes (client id client-1)',
    ],
    [{ idtyp: 'user', upn: 'dev@contoso.com' }, 'user dev@contoso.com'],
    [{}, 'application client-1 (object id object-1)'],
  ])('describes %j', (extra, expected) => {
    expect(describeTokenIdentity(claims(extra))).toBe(expected);
  });

  it('copes with a token that is not a JWT, without echoing it', () => {
    expect(describeTokenIdentity('opaque-token-value')).toBe('an identity whose token is not a JWT');
  });
});
