// The dslogs line header (`<time> <TOPIC> S<n> <text>`) is read by a hand scanner for speed (issue 19
// point 5). It must accept exactly what the format's regexes accept: each line below is parsed and
// compared with what the regexes say (a dslogs row or not, its time, topic, peer and text).
import { describe, expect, it } from "vitest";
import { Kind, LogStore, HARNESS_SRC } from "../src/store.js";
import { newParserState, parseLineInto } from "../src/parse.js";

const DSLOG = /^(\d{1,12}) +([A-Z][A-Z0-9]{1,7}) +(.*)$/;
const DSLOG_PEER = /^S(\d{1,4})\b *(.*)$/;

const LINES = [
  "001234 VOTE S1 granting vote",
  "1 AB S0 x",
  "000000000001 TOPIC123 S2 twelve digits, eight-letter topic",
  "0000000000001 VOTE S1 thirteen digits",
  "001 TOOLONGTP S1 nine-letter topic",
  "001 T S1 one-letter topic",
  "001 1AB S1 topic starts with a digit",
  "001 Ab S1 lower-case topic",
  "001   LOG1    S3    spaces everywhere",
  "001 LOG1 S3",
  "001 LOG1 S3 ",
  "001 LOG1 ",
  "001 LOG1",
  "001 LOG1 S12345 five-digit peer",
  "001 LOG1 S1234 four-digit peer",
  "001 LOG1 S1_x word char after the peer",
  "001 LOG1 S1x letter after the peer",
  "001 LOG1 S1: colon after the peer",
  "001 LOG1 S1@T2 at after the peer",
  "001 LOG1 S -> no digits",
  "001 LOG1 s1 lower-case s",
  "001 TEST S1 a TEST line keeps its S1",
  "001 LOG1 S1 line\u2028separator",
  "001 LOG1 S1 paragraph\u2029separator",
  "001\tLOG1 S1 tab after the time",
  "001 LOG1\tS1 tab after the topic",
  "2026/12/01 11:02:03.123456 0000012 PERS S1 Follower@T4: Go log prefix",
  "2026/12/01 11:02:03 0000012 PERS S1\u2028 Go log prefix with a separator",
  "001 LOG1 S1 unicode → arrow é",
];

describe("the dslogs header scanner accepts what the format's regexes accept", () => {
  for (const line of LINES) {
    it(JSON.stringify(line), () => {
      const store = new LogStore();
      parseLineInto(store, newParserState(), line);
      const body = line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? +/, "");
      const m = DSLOG.exec(line) ?? (line.charCodeAt(4) === 47 ? DSLOG.exec(body) : null);
      if (!m) {
        expect(store.kind[0]).not.toBe(Kind.Dslog);
        return;
      }
      expect(store.kind[0]).toBe(Kind.Dslog);
      expect(store.t[0]).toBe(Number(m[1]) / 10);
      expect(store.topics.name(store.topic[0] as number)).toBe(m[2]);
      const pm = m[2] === "TEST" ? null : DSLOG_PEER.exec(m[3] as string);
      if (!pm) {
        expect(store.src[0]).toBe(HARNESS_SRC);
        expect(store.textAt(0)).toBe(m[3]);
      } else {
        expect(store.src[0]).toBe(Number(pm[1]));
        expect(store.textAt(0)).toBe(pm[2]);
      }
    });
  }
});
