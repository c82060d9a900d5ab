/** The one `TokenCredential` shared by every Azure SDK client in the app. */
export const AZURE_CREDENTIAL = Symbol('AZURE_CREDENTIAL');

/** Token scopes of the Azure services the app calls. */
export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
