// Registering `clear` with V8's startup-snapshot hooks, shared by both backends: the node backend
// passes node:v8's `startupSnapshot`; the noble backend, which must not import node:v8 (it runs
// where there is none), looks it up at run time, because a bundle built without the `node`
// condition (a Workers bundle, Rollup's defaults) still runs on Node and can still be written
// into a snapshot.

/** node:v8's startup-snapshot hooks (Node ≥ 18.20; absent in runtimes that only mimic node:v8). */
interface StartupSnapshot {
  isBuildingSnapshot(): boolean;
  addSerializeCallback(callback: () => void): void;
  addDeserializeCallback(callback: () => void): void;
}

/**
 * @internal Registers `clear` to run before the snapshot is written and again, in every process
 * started from it, before its main function. Does nothing (and keeps no reference) unless this
 * process is building a snapshot or the hooks are missing or broken.
 */
export function registerSnapshotClear(startupSnapshot: unknown, clear: () => void): void {
  let s: Partial<StartupSnapshot> | undefined;
  try {
    s = (startupSnapshot ?? undefined) as Partial<StartupSnapshot> | undefined;
    if (
      typeof s?.isBuildingSnapshot !== 'function' ||
      typeof s.addSerializeCallback !== 'function' ||
      typeof s.addDeserializeCallback !== 'function' ||
      !s.isBuildingSnapshot()
    ) {
      return;
    }
  } catch {
    // A runtime whose node:v8 stub throws "not implemented" takes no snapshots.
    return;
  }
  // Before serializing, so the snapshot file holds no secret; after deserializing, in every process
  // started from it, before its main function, so nothing written after the first callback (by a
  // later serialize callback) survives into two processes either.
  s.addSerializeCallback(clear);
  s.addDeserializeCallback(clear);
}

/**
 * @internal node:v8's `startupSnapshot` found at run time through `process.getBuiltinModule`
 * (Node ≥ 20.16), without an import a bundler would see; `undefined` outside Node.
 */
export function runtimeStartupSnapshot(): unknown {
  try {
    const getBuiltinModule = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
    ).process?.getBuiltinModule;
    if (typeof getBuiltinModule !== 'function') return undefined;
    const v8 = getBuiltinModule('node:v8') as { startupSnapshot?: unknown } | undefined;
    return v8?.startupSnapshot;
  } catch {
    return undefined;
  }
}
