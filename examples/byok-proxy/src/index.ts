export { main } from './main.ts';
export { type ByokProxyOptions, createByokProxy, type Forwarded, forwardChat } from './proxy.ts';
export { type StandInProvider, startStandInProvider } from './stand-in-provider.ts';
