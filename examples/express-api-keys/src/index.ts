export { createAdminApi, createPartnerApi } from './app.ts';
export { requireKeyEnvironment, WrongKeyEnvironmentError } from './key-environment.ts';
