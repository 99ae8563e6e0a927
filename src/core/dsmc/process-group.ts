/**
 * dsmc runs in a process group of its own (its pid is the group id), so that
 * a child it leaves behind, holding our pipes open, can be killed with it.
 * Groups still running when this process exits are killed then: detached
 * children are not ended by their parent's exit.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** SIGKILLs every process of the group; a group already gone is fine. */
export function killGroup(groupId: number): void {
  try {
    process.kill(-groupId, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Notes a running group, to be killed if this process exits; returns the release. */
export function trackGroup(groupId: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveGroups) killGroup(group);
    });
  }
  liveGroups.add(groupId);
  return () => {
    liveGroups.delete(groupId);
  };
}
