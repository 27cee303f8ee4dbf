export { fault, startFakeVendor } from './vendorServer';
export type {
  FakeReply,
  FakeScript,
  FakeVendor,
  FakeVendorOptions,
  RecordedRequest,
} from './vendorServer';
export { openaiReply, startFakeOpenAI } from './openaiServer';
export { anthropicReply, startFakeAnthropic } from './anthropicServer';
