/** Commit analysis: pure rules from a commit (message + diff) to a release proposal. */
export * from './analysis';
export * from './breaking';
export * from './classify';
export * from './conventional';
export * from './flow';
export * from './ids';
export * from './paths';
export * from './release';
export * from './risk';
export * from './semver';
export * from './summary';
export * from './types';
