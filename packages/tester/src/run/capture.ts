// What the Raft under test prints while `raftlab run` runs it: data, kept off the trace's stdout.

/**
 * Sends everything written to process.stdout/stderr to `sink` until the returned function is called
 * (the tester's own writes go through functions bound before this).
 */
export function captureImplOutput(sink: (text: string) => void): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      sink(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof stream.write;
  }
  return () => {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original !== undefined) stream.write = original;
    });
  };
}
