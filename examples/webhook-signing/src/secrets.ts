// The app's secret declarations: one webhook signing secret, read by the sender and the receiver,
// rotated every 30 days; the previous version stays accepted so deliveries signed just before a
// rotation (or retried after it) still verify.
import { defineSecrets, secret } from '@coffer/secrets';

export const app = defineSecrets({
  workspace: 'acme',
  project: 'shop',
  environment: 'example',
  surfaces: ['sender', 'receiver'],
  secrets: {
    webhookSigning: secret.random({
      consumers: ['sender', 'receiver'],
      rotation: { every: '30d', retain: { versions: 1 } },
    }),
  },
});
