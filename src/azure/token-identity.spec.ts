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
    [
      { xms_mirid: '/subscriptions/s/providers/Microsoft.Web/sites/app-codes', appid: undefined, azp: 'client-2' },
      'system-assigned managed identity app-codes (client id client-2)',
    ],
    [
      { xms_mirid: '/subscriptions/s/providers/Microsoft.Web/sites/app-codes', appid: undefined },
      'system-assigned managed identity app-codes (client id unknown)',
    ],
    [{ idtyp: 'user', upn: 'dev@contoso.com' }, 'user dev@contoso.com'],
    [{ idtyp: 'user', preferred_username: 'dev2@contoso.com' }, 'user dev2@contoso.com'],
    [{ idtyp: 'user', unique_name: 'live.com#dev3@contoso.com' }, 'user live.com#dev3@contoso.com'],
    [{}, 'application client-1 (object id object-1)'],
    [{ appid: undefined, azp: 'client-2', oid: undefined }, 'application client-2'],
    [{ appid: undefined }, 'application unknown (object id object-1)'],
  ])('describes %j', (extra, expected) => {
    expect(describeTokenIdentity(claims(extra))).toBe(expected);
  });

  it('copes with a token that is not a JWT, without echoing it', () => {
    expect(describeTokenIdentity('opaque-token-value')).toBe('an identity whose token is not a JWT');
  });
});
