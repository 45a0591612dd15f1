export * from './policy';
export * from './retry';
export * from './auth';
export * from './destination';
export * from './deliver';
