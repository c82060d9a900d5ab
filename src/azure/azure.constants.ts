/** Token scopes of the Azure services the app calls. */
export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** Azure Managed Redis (and Azure Cache for Redis) with Microsoft Entra ID. */
export const REDIS_SCOPE = 'https://redis.azure.com/.default';
