export * from './checks';
export * from './flow';
export * from './policy';
export * from './routing';
export * from './stats';
export * from './status';
export * from './release';
