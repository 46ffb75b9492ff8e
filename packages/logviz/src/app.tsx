// The Ink component: draws Viewer.frame() and forwards keys, resizes and new data to the Viewer.
import { useEffect, useState } from "react";
import { Box, Text, useApp, useInput, useStdout } from "ink";
import type { Viewer } from "./viewer.js";

export interface AppProps {
  readonly viewer: Viewer;
  /** Registers a listener called when new data has been ingested; returns an unsubscribe function. */
  readonly subscribe?: (listener: () => void) => () => void;
  /** Ctrl-Z: give the terminal back and stop (the CLI restores the screen and raw mode on SIGCONT). */
  readonly onSuspend?: () => void;
}

export function App({ viewer, subscribe, onSuspend }: AppProps): React.JSX.Element {
  const [, setTick] = useState(0);
  const { exit } = useApp();
  const { stdout } = useStdout();
  const redraw = (): void => setTick((t) => (t + 1) % 1_000_000);

  useInput((input, key) => {
    if (key.ctrl && input === "z" && onSuspend) return onSuspend();
    if (input.length > 1 && !key.ctrl && !key.meta) {
      // Ink delivers a run of typed-ahead or pasted characters as one string: replay them one by
      // one so "t3<Enter>" typed quickly is the same as typed slowly.
      for (const ch of input) {
        if (ch === "\r" || ch === "\n") viewer.key("", { return: true });
        else if (ch === "\x7f" || ch === "\b") viewer.key("", { backspace: true });
        else viewer.key(ch, {});
        if (viewer.quit) break;
      }
    } else viewer.key(input, key);
    if (viewer.quit) exit();
    else redraw();
  });

  useEffect(() => {
    const onResize = (): void => {
      viewer.resize(stdout.columns || viewer.width, stdout.rows || viewer.height);
      redraw();
    };
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, viewer]);

  useEffect(() => (subscribe ? subscribe(redraw) : undefined), [subscribe]);

  const lines = viewer.frame();
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l}
        </Text>
      ))}
    </Box>
  );
}
