// Both crypto backends, each behind the same validated API, for tests that must run every vector
// through node:crypto and through @noble.
import { type CryptoApi, createCryptoApi } from '../src/_crypto-api.js';
import nobleBackend from '../src/_crypto-noble.js';
import nodeBackend from '../src/_crypto-node.js';

export const backends: ReadonlyArray<readonly [string, CryptoApi]> = [
  ['node', createCryptoApi(nodeBackend)],
  ['noble', createCryptoApi(nobleBackend)],
];
