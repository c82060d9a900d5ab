/** The `SecretSource` the cache reads through: Key Vault, or the local environment. */
export const SECRET_SOURCE = Symbol('SECRET_SOURCE');
