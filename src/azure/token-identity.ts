/** The claims of a Microsoft Entra access token that say who it was issued to. */
interface IdentityClaims {
  idtyp?: string;
  appid?: string;
  azp?: string;
  oid?: string;
  upn?: string;
  preferred_username?: string;
  unique_name?: string;
  xms_mirid?: string;
}

/**
 * Who a Microsoft Entra access token was issued to, from its claims (not
 * verified: only for logs). Never returns the token itself.
 */
export function describeTokenIdentity(token: string): string {
  let claims: IdentityClaims;
  try {
    claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as IdentityClaims;
  } catch {
    return 'an identity whose token is not a JWT';
  }
  const clientId = claims.appid ?? claims.azp;
  const user = claims.upn ?? claims.preferred_username ?? claims.unique_name;
  if (claims.xms_mirid) {
    const name = claims.xms_mirid.split('/').pop();
    const kind = claims.xms_mirid.includes('/userAssignedIdentities/') ? 'user-assigned' : 'system-assigned';
    return `${kind} managed identity ${name} (client id ${clientId ?? 'unknown'})`;
  }
  if (user) {
    return `user ${user}`;
  }
  return `application ${clientId ?? 'unknown'}${claims.oid ? ` (object id ${claims.oid})` : ''}`;
}
