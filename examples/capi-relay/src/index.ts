export { type PlatformServer, sendEvent, startPlatformServer } from './platform-server.ts';
export { type CapiRelay, createCapiRelay } from './relay.ts';
