import type { SecretSource } from '../../src/secrets/secret-source.js';

/**
 * A programmable `SecretSource`: values per name, an optional failure, an
 * optional gate that holds reads until released, and a count of reads.
 */
export class FakeSecretSource implements SecretSource {
  readonly description = 'the fake secret source';
  reads = 0;
  failure?: Error;
  private readonly values = new Map<string, string>();
  private gate?: Promise<void>;
  private openGate?: () => void;

  set(name: string, value: string): this {
    this.values.set(name, value);
    return this;
  }

  /** Reads wait until `release()`: lets a test pile up concurrent callers. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async read(name: string): Promise<string> {
    this.reads++;
    await this.gate;
    if (this.failure) {
      throw this.failure;
    }
    const value = this.values.get(name);
    if (value === undefined) {
      throw new Error(`no secret ${name}`);
    }
    return value;
  }
}
