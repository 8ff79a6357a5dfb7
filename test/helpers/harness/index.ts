import type { ProviderId } from '../../../lib/providers.js';
import type { ProviderHarness } from './types.js';
import { factuurSturenHarness } from './factuursturen.js';
import { imuisHarness } from './imuis.js';
import { vismaNetHarness } from './visma-net.js';
import { rompslompHarness } from './rompslomp.js';
import { octopusHarness } from './octopus.js';

export type { HarnessFake, ProviderHarness } from './types.js';

/** Every package's harness (types.ts says what one is); null until a package has one. */
export const harnesses: Record<ProviderId, () => ProviderHarness | null> = {
  factuursturen: () => factuurSturenHarness,
  octopus: () => octopusHarness,
  imuis: () => imuisHarness,
  rompslomp: () => rompslompHarness,
  'visma-net': () => vismaNetHarness,
};
