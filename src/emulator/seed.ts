/**
 * Deterministic seeded helpdesk data at realistic sizes.
 * STUB: replaced by the real implementation.
 */
import type { EmulatorData, SeedOptions } from './records.ts';

export function seedData(_options: SeedOptions = {}): EmulatorData {
  throw new Error('not implemented');
}
