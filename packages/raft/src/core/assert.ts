// Invariant checks. A violated invariant means a bug in this Raft, never bad input, so it throws at
// once with the invariant's name rather than letting a corrupt state spread to other peers.

export class InvariantError extends Error {
  override name = "InvariantError";
}

export function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new InvariantError(`raft invariant violated: ${msg}`);
}
