// Invariant checks. A violated invariant means a bug in this Raft, never bad input, so it throws at
// once with the invariant's name rather than letting a corrupt state spread to other peers.

export class InvariantError extends Error {
  override name = "InvariantError";
}

export function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) fail(msg);
}

/** Throws the InvariantError for a violated invariant (for checks that build their message only on failure). */
export function fail(msg: string): never {
  throw new InvariantError(`raft invariant violated: ${msg}`);
}
