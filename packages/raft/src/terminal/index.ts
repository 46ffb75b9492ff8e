// @raftlab/raft/terminal: what every CLI of raftlab shares about the terminal — the colour decision
// (no-color.org), styling through chalk, display width through string-width, exit codes, the usage
// error and the replay command. Not part of the core: the index of @raftlab/raft does not re-export it.
export { colorEnabled, type ColorStream } from "./color.js";
export { chalkFor, makeStyle, one, styleFor, type Paint, type Style } from "./style.js";
export { displayWidth, fitWidth, isPlainAscii, padWidth, wrapWidth, visibleWidth, padEndVisible, padStartVisible, stripAnsi } from "./width.js";
export { EXIT, EXIT_USAGE_TEXT, signalExitCode, type ExitCode } from "./exit.js";
export { commanderErrorLine, UsageError } from "./usage.js";
export { replayCommand, setCommandPrefix, shellQuote, type ReplaySpec } from "./replay.js";
export { wrapHelpText } from "./help-wrap.js";
