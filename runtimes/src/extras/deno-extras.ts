import type { CheckGroup } from '../checks/check.ts';

export const denoExtras: readonly CheckGroup[] = [];
