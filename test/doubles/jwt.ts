/** Entra-shaped test tokens. Signatures are not real: nothing in the doubles or Azurite verifies them. */
export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  idtyp: 'app' | 'user';
  xms_mirid?: string;
  /** Unique per token, as Entra's; two tokens minted in one second still differ. */
  uti?: string;
  iat: number;
  nbf: number;
  exp: number;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintJwt(claims: TokenClaims): string {
  return `${encode({ typ: 'JWT', alg: 'RS256', kid: 'test' })}.${encode(claims)}.${Buffer.from('not-signed').toString('base64url')}`;
}

export function decodeJwt(token: string): Partial<TokenClaims> | undefined {
  const payload = token.split('.')[1];
  if (!payload) {
    return undefined;
  }
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
  } catch {
    return undefined;
  }
}
