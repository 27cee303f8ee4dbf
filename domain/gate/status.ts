import { z } from 'zod';

export const VERSION_STATUSES = [
  'candidate',
  'qualifying',
  'staging',
  'canary',
  'rolling_out',
  'production',
  'rolled_back',
  'aborted',
  'retired',
] as const;
export const VersionStatus = z.enum(VERSION_STATUSES);
export type VersionStatus = z.infer<typeof VersionStatus>;

export const GATE_STAGES = ['qualification', 'staging', 'canary', 'rollout', 'production'] as const;
export const GateStageName = z.enum(GATE_STAGES);
export type GateStageName = z.infer<typeof GateStageName>;

/** Stages that run as child workflows with checks and a bake time. */
export const CHECKED_STAGES = ['qualification', 'staging', 'canary', 'rollout'] as const;
export type CheckedStage = (typeof CHECKED_STAGES)[number];

export const STATUS_OF_STAGE: Record<GateStageName, VersionStatus> = {
  qualification: 'qualifying',
  staging: 'staging',
  canary: 'canary',
  rollout: 'rolling_out',
  production: 'production',
};

const IN_GATE: readonly VersionStatus[] = [
  'candidate',
  'qualifying',
  'staging',
  'canary',
  'rolling_out',
];

const NEXT: Record<VersionStatus, readonly VersionStatus[]> = {
  candidate: ['qualifying'],
  qualifying: ['staging'],
  staging: ['canary'],
  canary: ['rolling_out'],
  rolling_out: ['production'],
  production: ['retired'],
  rolled_back: [],
  aborted: [],
  retired: [],
};

/** A version only moves forward through the gate, or leaves it for good. */
export function canTransition(from: VersionStatus, to: VersionStatus): boolean {
  if (from === to) return true; // idempotent writes from retried activities
  if (IN_GATE.includes(from) && (to === 'rolled_back' || to === 'aborted')) return true;
  return NEXT[from].includes(to);
}

export function isInGate(status: VersionStatus): boolean {
  return IN_GATE.includes(status);
}
