import { cryptoBackend, sha256Hex } from '@coffer/core';

console.log(cryptoBackend, sha256Hex('abc'));
