import type { CheckGroup } from '../checks/check.ts';

export const bunExtras: readonly CheckGroup[] = [];
