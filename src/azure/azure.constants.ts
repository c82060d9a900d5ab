/** The one `TokenCredential` shared by every Azure SDK client in the app. */
export const AZURE_CREDENTIAL = Symbol('AZURE_CREDENTIAL');
