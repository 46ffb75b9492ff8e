// The key reference, shown by `?` in the viewer and by `logviz --help`.
export const HELP_KEYS = `Keys
  j/k, arrows         move one line          PgDn/space, PgUp/b   move one page
  g / G               first / last line      Ctrl-D / Ctrl-U      half page
  h/l, left/right     scroll peer columns (when more peers than fit)
  F                   follow mode on/off (G also resumes following a live stream)
  /                   search what the rows show: topic, peer (S<n>) and text
                      (regex; lower case = any case); n / N next / previous
                      match, wrapping; the status says match k of N
  /~                  search every field of the input line too (JSON fields
                      such as state or id, a dslogs line's time): /~m-77
  ] / [               next / previous term change (a new highest term)
  } / {               next / previous test
  e / E               next / previous failure or invariant violation (wraps)
  t                   term filter: 3, 3..5, 3.., ..5 (empty = all)
  T                   topic filter: +VOTE,LEAD show only, -TIMR hide (empty = all)
  p                   peer filter: 0,2 show only, -1 hide (empty = all);
                      0-9 toggle a peer
  r                   role filter: leader, candidate, follower (comma list)
  o                   opcode filter: +AppendEntries show only, -MsgLost hide
  s                   test filter: rows of tests whose name contains the text
  x                   stale instances (! rows: a killed Raft still logging):
                      hide / show only / all
  c                   clear all filters and the search
  Enter               detail pane: all fields; for a message, its send,
                      receipt, reply or loss and delays
  J / K, > / <        scroll the detail pane a line / a page (a long line is
                      shown whole)
  v                   space-time view on/off: peers as lanes, time down, each
                      message an arrow from its send to its receipt (✕ lost,
                      dashed: reply); all keys and filters work in it
  m                   go to the next event of the selected message
                      (send → receipt → reply → receipt)
  Esc                 close the detail pane or cancel a prompt (in a prompt:
                      Ctrl-U clears, Enter applies)
  ?                   this help          q   quit`;

export const HELP_FILTER_RULES = `Filter rules
  The term filter hides rows whose term is known and outside the range; raw
  output and harness events without a term stay (a lost message counts with
  the term it carried). Raw text, test begin/end/failure and violation rows
  pass the topic, peer, role and op filters. Peer filters also hide harness
  events about a hidden peer. An op filter hides dslogs lines.
  A row marked ! comes from a stale instance of its peer: its explicit terms
  went down, so a killed Raft is still running (check rf.killed()); x or
  --stale hide|only filter them.`;
