export * from './emulator';
export { sendSample, type SendSampleOptions, type SendSampleResult } from './send';
