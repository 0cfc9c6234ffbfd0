export { createAdminApi, createPartnerApi } from './app.ts';
