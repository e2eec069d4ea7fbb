#!/usr/bin/python3
"""The page in a real browser (ctest web.browser, docs/web.md "How it is tested").

Serves the built site with `python3 -m http.server` on 127.0.0.1, starts Debian's chromium
headless with the DevTools protocol on 127.0.0.1, drives the page as a user would (clicks,
typing, Enter, Tab) and compares what it shows with the native `pmmu`:
  - the editor: the README's example, its results line by line as `pmmu run --json`, the TLB
    view as `run --json --tlb-state`, a bad line at its line with the native message;
  - the walk figure: entries (address, value, flags), rule, PA or #PF, and the TLB's entry,
    as `pmmu explain FILE VA ACCESS PRIV --json`, for allowed, denied, not-present, stale and
    PAE walks;
  - the exercise: from a URL (hash and query), the answer boxes of each mode, the answers
    shown as `pmmu quiz ... --solve --json`, right, wrong and malformed answers graded as
    `pmmu quiz ... --check ... --json` grades them, nothing shown beyond the first wrong step;
    the keyboard (Enter in the seed box, Tab between the boxes);
  - 1,000 translations, byte for byte as native, timed (printed as TIME:);
  - the layout on a phone (390 px), a projector (1024 x 768, 1920 x 1080): nothing wider
    than the screen, type large enough;
  - no console error and no exception, checked after every step;
  - screenshots (--screenshot, --phone-screenshot).
Every check prints "ok: ..." or stops the test with "FAILED: ...". The test stops itself
after --deadline seconds (with a message naming the step), and stops every process it
started by its PID (with its session), on success, failure, timeout or a signal.
"""
import argparse
import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

import websocket  # Debian's python3-websocket

STEP = ["starting"]  # the step under way, for the messages of a failure


class Failure(Exception):
    pass


def step(name):
    STEP[0] = name
    print("== " + name)


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what)


def js(value):
    return json.dumps(value)


class Browser:
    """A minimal DevTools protocol client: commands by id, events kept as they arrive."""

    def __init__(self, ws_url):
        # every receive is bounded: a browser that stops answering fails the test with a
        # message instead of hanging it
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.next_id = 0
        self.problems = []  # console errors and exceptions

    def _event(self, msg):
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            self.problems.append("exception: %s" % text)
        elif (method == "Runtime.consoleAPICalled"
              and params["type"] in ("error", "assert", "warning")):
            args = [a.get("value", a.get("description", "")) for a in params["args"]]
            self.problems.append("console.%s: %s" % (params["type"], " ".join(map(str, args))))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.problems.append("log: %s %s" % (entry["text"], entry.get("url", "")))
        elif method == "Inspector.targetCrashed":
            raise Failure("the page's renderer crashed")

    def send(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise Failure("chromium did not answer %s within 60 s" % method)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise Failure("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self._event(msg)

    def eval(self, expression):
        r = self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Failure("in the page: %s: %s" % (
                expression.strip()[:80], d.get("exception", {}).get("description", d.get("text"))))
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        """Polls EXPRESSION in the page until it is true (an event, not a delay)."""
        end = time.monotonic() + timeout
        while not self.eval(expression):
            if time.monotonic() > end:
                raise Failure("timed out (%d s) waiting for %s" % (timeout, what))
            time.sleep(0.05)

    def no_problems(self, what):
        self.send("Runtime.evaluate", expression="0")  # collect the pending events
        found, self.problems = self.problems, []
        check(not found, "no console error or exception after %s %s" % (what, found or ""))

    def load(self, url):
        # by way of a blank page: a URL that differs only in its #fragment would not reload
        self.send("Page.navigate", url="about:blank")
        self.wait_for("location.href === 'about:blank'", "about:blank")
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!window.pmmuPage"
                      " && (window.pmmuPage.started || window.pmmuPage.failed)",
                      "the page and its module to load (%s)" % url)
        if self.eval("window.pmmuPage.failed"):
            raise Failure("the page says: " + self.eval("document.getElementById('status')"
                                                        ".textContent"))

    def key(self, key, code, vk, text=None, modifiers=0):
        """A key pressed and released, through chromium's input pipeline (as a user's)."""
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk,
                "modifiers": modifiers}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                  windowsVirtualKeyCode=vk, modifiers=modifiers)

    def enter(self):
        self.key("Enter", "Enter", 13, "\r")

    def type_into(self, selector, text):
        """Focuses the field, empties it and types TEXT."""
        self.eval("(() => { const e = document.querySelector(%s); e.focus(); e.select();"
                  " return true; })()" % js(selector))
        self.send("Input.insertText", text=text)

    def click(self, selector):
        ok = self.eval("(() => { const e = document.querySelector(%s); if (!e) return false;"
                       " e.click(); return true; })()" % js(selector))
        if not ok:
            raise Failure("nothing to click: " + selector)

    def text(self, selector):
        return self.eval("(() => { const e = document.querySelector(%s);"
                         " return e ? e.textContent : null; })()" % js(selector))

    def viewport(self, width, height, mobile):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        # reading the size lays the page out again: no delay needed after it
        self.wait_for("window.innerWidth === %d" % width, "a %d-pixel viewport" % width)


def native(pmmu, *args):
    r = subprocess.run([pmmu] + list(args), capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def native_json(pmmu, *args, status=0):
    got, out, err = native(pmmu, *args)
    if got != status:
        raise Failure("native pmmu %s: exit %d, expected %d: %s"
                      % (" ".join(args), got, status, err.strip()))
    return json.loads(out)


def readme_example(readme):
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"A scenario sets up page tables[^\n]*\n\n```\n(.*?)```", text, re.S)
    if not m:
        raise Failure("README.md: the example scenario after 'A scenario sets up page tables'"
                      " is gone")
    return m.group(1)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# ---- the editor ---------------------------------------------------------------------------

def set_source(b, text):
    b.eval("document.getElementById('source').value = %s; true" % js(text))


def run_editor(b):
    b.click("#run-form button[type=submit]")


def test_scenario(b, pmmu, example, tmp):
    step("the editor: the README's example against pmmu run --json")
    check(b.eval("document.getElementById('source').value") == example,
          "the editor holds the README's example scenario")
    path = write(os.path.join(tmp, "readme.pmmu"), example)
    status, out, _ = native(pmmu, "run", "--json", path)
    check(status == 0, "native pmmu run --json on the README example exits 0")
    # Ctrl+Enter in the editor runs it (the keyboard's way)
    b.eval("document.getElementById('run-out').replaceChildren(); true")
    b.eval("document.getElementById('source').focus(); true")
    b.key("Enter", "Enter", 13, "\r", modifiers=2)
    b.wait_for("document.querySelectorAll('#run-out tr').length > 0", "Ctrl+Enter to run")
    check(b.eval("document.getElementById('source').value") == example,
          "Ctrl+Enter ran the scenario without typing into it")
    rows = b.eval("""Array.from(document.querySelectorAll('#run-out tr')).map(tr =>
        [Number(tr.dataset.line), Array.from(tr.querySelectorAll('.res'))
         .map(d => d.textContent)])""")
    shown = {line: res for line, res in rows}
    expected = [json.loads(line) for line in out.splitlines()]
    check(len(expected) == sum(len(v) for v in shown.values()),
          "the page shows as many results as native pmmu run (%d)" % len(expected))
    for o in expected:
        texts = shown.get(o["line"], [])
        if o["op"] == "expect":
            want = ("ok" if o["ok"] else "FAILED") + o["want"]
            check(any(t.startswith(want) for t in texts), "line %d: %s" % (o["line"], want))
        else:
            parts = [o["tlb"], "%d cycles" % o["cycles"]]
            if "pa" in o:
                parts.append("PA " + o["pa"])
            else:
                parts.append("ec %s, CR2 %s" % (o["fault"]["ec"], o["fault"]["cr2"]))
            check(any(all(p in t for p in parts) for t in texts),
                  "line %d: %s %s shown as native: %s"
                  % (o["line"], o["op"], o["va"], ", ".join(parts)))

    # the TLB view of the first access: the slot `--tlb-state` says it filled
    status, out, _ = native(pmmu, "run", "--json", "--tlb-state", path)
    state = [json.loads(line) for line in out.splitlines() if '"tlb-state"' in line][0]
    f = state["fill"]
    b.click('#run-out tr[data-line="%d"] button.pick' % state["line"])
    cell = b.eval("""(() => { const t = document.getElementById('tlb-4k');
        const c = t && t.querySelector('td.fill'); if (!c) return null;
        const tr = c.parentElement; return [Number(tr.firstChild.textContent),
        Array.from(tr.children).indexOf(c) - 1, c.textContent]; })()""")
    e = state["entries"]["4K"][f["set"]][f["way"]]
    check(cell is not None and cell[0] == f["set"] and cell[1] == f["way"]
          and e["la"] in cell[2] and e["frame"] in cell[2],
          "the TLB view outlines the way the first access filled (set %d, way %d: %s -> %s)"
          % (f["set"], f["way"], e["la"], e["frame"]))
    sets = b.eval("document.querySelectorAll('#tlb-4k tr').length - 1")
    check(sets == state["sets"], "the TLB view has the %d sets of the TLB" % state["sets"])
    b.no_problems("running the README example")

    step("the editor: a bad line")
    bad = example.replace("read  0x00400123 user", "read  0x00400123 usr")
    line = bad.splitlines().index("read  0x00400123 usr") + 1
    status, _, err = native(pmmu, "run", "--json", write(os.path.join(tmp, "bad.pmmu"), bad))
    what = re.search(r":%d: error: (.*)" % line, err).group(1)
    set_source(b, bad)
    run_editor(b)
    got = b.eval("""(() => { const tr = document.querySelector('#run-out tr[data-line="%d"]');
        return tr ? [tr.className, tr.textContent] : null; })()""" % line)
    check(status == 2 and got and "error" in got[0] and ("error: " + what) in got[1],
          "a bad line is shown at line %d: %s" % (line, what))
    check(b.eval("document.querySelectorAll('#run-out .res').length") == 0,
          "nothing ran (as on the command line)")
    b.no_problems("a scenario with a bad line")
    b.click("#reset-source")
    check(b.eval("document.getElementById('source').value") == example,
          "README example puts the example back")
    return path


# ---- the walk -----------------------------------------------------------------------------

def shown_walk(b):
    """The walk figure as the page shows it."""
    return b.eval("""(() => { const f = document.querySelector('#walk-out .figure');
        if (!f) return {error: document.getElementById('walk-out').textContent};
        const v = f.querySelector('.verdict'), t = f.querySelector('.tlbnote');
        const rule = f.querySelector('.rule');
        return {
          steps: Array.from(f.querySelectorAll('.step[data-level]')).map(s => ({
            level: s.dataset.level, addr: s.querySelector('.addr').textContent,
            value: s.querySelector('.value').textContent,
            flags: Object.fromEntries(Array.from(s.querySelectorAll('.flag')).map(e =>
              [e.dataset.flag, e.classList.contains('on') ? 1 : 0]))})),
          split: Array.from(f.querySelectorAll('.split div')).map(d => d.textContent),
          pa: v && v.dataset.pa || null, ec: v && v.dataset.ec || null,
          rule: rule ? rule.textContent : null, tlb: t ? t.textContent : null}; })()""")


def explain_in_page(b, va, access, priv):
    b.eval("document.getElementById('walk-access').value = %s;"
           " document.getElementById('walk-priv').value = %s; true" % (js(access), js(priv)))
    b.eval("document.getElementById('walk-out').replaceChildren(); true")
    b.type_into("#walk-va", va)
    b.enter()  # Enter in the address box explains it
    b.wait_for("document.getElementById('walk-out').childElementCount > 0",
               "Enter in the walk form to draw the walk")
    return shown_walk(b)


def compare_walk(got, d, what):
    if "error" in got:
        raise Failure("%s: the page shows no walk: %s" % (what, got["error"]))
    check(len(got["steps"]) == len(d["steps"]) and all(
        g["level"] == s["level"] and g["addr"] == s["addr"] and g["value"] == s["value"]
        for g, s in zip(got["steps"], d["steps"])),
        "%s: the entries (level, address, value) are native explain --json's: %s"
        % (what, ", ".join("%s %s=%s" % (s["level"], s["addr"], s["value"])
                           for s in d["steps"])))
    for g, s in zip(got["steps"], d["steps"]):
        must = {"P", "PWT", "PCD"} if s["level"] == "PDPTE" else {"P", "RW", "US", "A", "D"}
        wrong = [k for k, v in g["flags"].items() if s["flags"].get(k) != v]
        check(must <= set(g["flags"]) and not wrong,
              "%s: the %s's flags are native's %s" % (what, s["level"], wrong or sorted(
                  k for k, v in g["flags"].items() if v)))
    for f in d["split"]:
        check(any(("%s %s" % (f["bits"], f["name"])) in t and t.endswith(hex(f["value"]))
                  for t in got["split"]),
              "%s: the VA's field %s %s = %s" % (what, f["bits"], f["name"], hex(f["value"])))
    check(got["rule"] == "Rule: " + d["rule"], "%s: the rule: %s" % (what, d["rule"]))
    if d["allowed"]:
        check(got["pa"] == d["pa"] and got["ec"] is None, "%s: the PA %s" % (what, d["pa"]))
    else:
        check(got["ec"] == d["fault"]["ec"] and got["pa"] is None,
              "%s: the #PF error code %s" % (what, d["fault"]["ec"]))


def test_walk(b, pmmu, example, scenarios, tmp):
    step("the walk figure against pmmu explain --json")
    path = write(os.path.join(tmp, "walk.pmmu"), example)
    # the README's accesses, from their "walk & TLB" buttons (the editor's example runs)
    for line, va, access, priv in ((4, "0x00400123", "read", "user"),
                                   (6, "0x00400123", "write", "user")):
        d = native_json(pmmu, "explain", path, va, access, priv, "--json")
        b.eval("document.getElementById('walk-out').replaceChildren(); true")
        b.click('#run-out tr[data-line="%d"] button.pick' % line)
        compare_walk(shown_walk(b), d, "line %d's %s" % (line, access))
    # typed into the form: not present, a supervisor read
    d = native_json(pmmu, "explain", path, "0x00800123", "read", "sup", "--json")
    compare_walk(explain_in_page(b, "0x00800123", "read", "sup"), d, "0x00800123 (PDE P=0)")
    # a stale TLB entry: the PTE remapped without INVLPG
    stale = example + "read  0x00400123 user\nmem32 0x00101000 0x00901025  # no INVLPG\n"
    path = write(os.path.join(tmp, "stale.pmmu"), stale)
    d = native_json(pmmu, "explain", path, "0x00400123", "read", "user", "--json")
    set_source(b, stale)
    run_editor(b)
    got = explain_in_page(b, "0x00400123", "read", "user")
    compare_walk(got, d, "a remapped page")
    t = d["tlb"]
    check(t["cached"] and t["stale"] and got["tlb"] and "STALE" in got["tlb"]
          and t["hit_pa"] in got["tlb"] and t["frame"] in got["tlb"],
          "a stale entry is shown as explain says: cached %s -> %s, the next access at %s"
          % (t["page"], t["frame"], t["hit_pa"]))
    # PAE, a 2 MiB page (a scenario of the suite)
    source = open(os.path.join(scenarios, "pae-walk-2m.pmmu"), encoding="utf-8").read()
    path = write(os.path.join(tmp, "pae.pmmu"), source)
    d = native_json(pmmu, "explain", path, "0x00400123", "fetch", "user", "--json")
    set_source(b, source)
    run_editor(b)
    compare_walk(explain_in_page(b, "0x00400123", "fetch", "user"), d, "PAE, 2 MiB")
    b.click("#reset-source")
    b.no_problems("the walk figure")


# ---- the exercise -------------------------------------------------------------------------

KEYS = ["dir", "pde_addr", "pde", "table", "pte_addr", "pte", "frame", "fault", "pa"]
KEYS_PAE = ["pdpt", "pdpte_addr", "pdpte"] + KEYS


def solution_keys(item):
    """An item of native --solve --json as the answer of each --check key (docs/quiz.md)."""
    names = {"pdpte": ("pdpt", "pdpte_addr", "pdpte"), "pde": ("dir", "pde_addr", "pde"),
             "pte": ("table", "pte_addr", "pte")}
    k = {}
    for s in item["steps"]:
        index, addr, value = names[s["name"]]
        k[index], k[addr], k[value] = hex(s["index"]), s["addr"], s["value"]
    r = item["result"]
    if "frame" in r:
        k["frame"] = r["frame"]
    k["fault"] = r.get("fault", "none")
    if "pa" in r:
        k["pa"] = r["pa"]
    return k


def quiz_args(opts):
    args = ["quiz", "--seed", opts["seed"]]
    args += {"32-bit": [], "pse": ["--pse"], "pae": ["--pae"]}[opts["mode"]]
    return args + (["--nx"] if opts.get("nx") else [])


def item_grades(b, n):
    return b.eval("""Object.fromEntries(Array.from(document.querySelectorAll(
        '#item-%d .answers input')).map(i => [i.name, i.dataset.grade || '']))""" % n)


def answer_in_page(b, n, answer, keyboard):
    """Fills item N's boxes with ANSWER (a dict), submits, returns the grade box's text."""
    b.eval("""(() => { document.querySelectorAll('#item-%d .answers input').forEach(i =>
        { i.value = ''; }); document.querySelector('#item-%d .grade-box').replaceChildren();
        return true; })()""" % (n, n))
    keys = list(answer)
    for key in keys:
        if keyboard:
            b.type_into("#item-%d input[name=%s]" % (n, key), answer[key])
        else:
            b.eval("document.querySelector('#item-%d input[name=%s]').value = %s; true"
                   % (n, key, js(answer[key])))
    if keyboard:
        b.enter()  # in the last box typed
    else:
        b.click("#item-%d form button[type=submit]" % n)
    b.wait_for("document.querySelector('#item-%d .grade-box').childElementCount > 0" % n,
               "item %d's grading" % n)
    return b.text("#item-%d .grade-box" % n)


def check_grading(b, pmmu, opts, n, answer, what, keyboard=False):
    """ANSWER to item N graded in the page as the native --check grades it."""
    text = ",".join("%s=%s" % (k, v) for k, v in answer.items())
    status, out, err = native(pmmu, *quiz_args(opts), "--check", text, "--item", str(n),
                              "--json")
    graded = json.loads(out)
    shown = answer_in_page(b, n, answer, keyboard)
    if "error" in graded:  # malformed: exit 2, the message as JSON too
        check(status == 2 and graded["error"] in shown,
              "%s: the page shows native's message: %s" % (what, graded["error"]))
        return graded, shown
    grades = item_grades(b, n)
    want = {s["key"]: ("ok" if s["ok"] else "bad") for s in graded["steps"]}
    want.update({k: "not-graded" for k in answer if k not in want})
    got = {k: v for k, v in grades.items() if v}
    check(got == want, "%s: each box graded as native --check (exit %d): %s"
          % (what, status, want))
    bad = [s for s in graded["steps"] if not s["ok"]]
    if graded["correct"]:
        check(status == 0 and shown.startswith("Right"), "%s: shown as right" % what)
    else:
        check(status == 1 and bad[0]["why"] in shown and "is wrong" in shown,
              "%s: the first wrong step, %s, with native's reason: %r"
              % (what, bad[0]["key"], bad[0]["why"]))
        if graded["not_graded"]:
            check(("%d later step" % graded["not_graded"]) in shown,
                  "%s: %d later step(s) not graded" % (what, graded["not_graded"]))
    return graded, shown


def test_exercise(b, pmmu, base_url, opts, url, keyboard):
    what = "seed %s, %s%s" % (opts["seed"], opts["mode"], " NX" if opts.get("nx") else "")
    step("the exercise (%s) from the URL %s" % (what, url))
    solution = native_json(pmmu, *quiz_args(opts), "--solve", "--json")
    b.load(base_url + url)
    form = b.eval("""[document.getElementById('quiz-seed').value,
        document.getElementById('quiz-mode').value, document.getElementById('quiz-nx').checked,
        document.getElementById('quiz-decoded').checked]""")
    check(form == [opts["seed"], opts["mode"], bool(opts.get("nx")), bool(opts.get("decoded"))],
          "the URL's options are in the form: %s" % form)
    regs = b.text("#quiz-out .regs")
    check(all(solution[r] in regs for r in ("cr0", "cr3", "cr4", "efer")),
          "the control registers are native's (CR3 %s)" % solution["cr3"])
    cells = b.eval("""Array.from(document.querySelectorAll('#quiz-out .tables table')).map(t =>
        [t.querySelector('caption').textContent, Array.from(t.querySelectorAll('tr')).slice(1)
         .map(tr => Array.from(tr.children).map(td => td.textContent))])""")
    want = [["%s at %s" % (t["kind"], t["pa"]),
             [["0x%03x" % e["index"], e["value"]] for e in t["entries"]]]
            for t in solution["tables"]]
    got = [[c, [[r[0], r[2]] for r in rows]] for c, rows in cells]
    diff = [(g, w) for g, w in zip(got, want) if g != w][:1]
    check(got == want, "the tables (index, value) are native --json's (%d tables) %s"
          % (len(want), diff or ""))
    if opts.get("decoded"):
        check(all(len(r) == 4 for _, rows in cells for r in rows),
              "decoded=1: every entry decoded")
    keys = KEYS_PAE if opts["mode"] == "pae" else KEYS
    for item in solution["items"]:
        n = item["n"]
        title = b.text("#item-%d h3" % n)
        check("%s %s (%s)" % (item["access"], item["va"], item["priv"]) in title,
              "item %d: %s" % (n, title))
        boxes = b.eval("Array.from(document.querySelectorAll('#item-%d .answers input'))"
                       ".map(i => i.name)" % n)
        check(boxes == keys, "item %d: a box for each step of --check, in walk order" % n)
        check(b.eval("document.querySelector('#item-%d .reveal-box').childElementCount" % n)
              == 0, "item %d: the answer is hidden until asked for" % n)
        b.click("#item-%d button.reveal" % n)
        shown = b.eval("""Object.fromEntries(Array.from(document.querySelectorAll(
            '#item-%d .reveal-box tr[data-key]')).map(tr => [tr.dataset.key,
            tr.querySelector('td').textContent]))""" % n)
        expected = {k: solution_keys(item).get(k, "\u2014") for k in keys}
        check(shown == expected, "item %d: Show answer gives native --solve's: %s"
              % (n, ", ".join("%s=%s" % kv for kv in expected.items() if kv[1] != "\u2014")))
        b.click("#item-%d button.reveal" % n)
        check(b.eval("document.querySelector('#item-%d .reveal-box').childElementCount" % n)
              == 0, "item %d: Hide answer hides it again" % n)
    b.no_problems("the exercise's answers")

    step("the exercise (%s): grading" % what)
    # an item whose walk reaches the page, if there is one
    items = sorted(solution["items"], key=lambda i: "frame" not in i["result"])
    item = items[0]
    n, key = item["n"], solution_keys(item)
    right = {k: key[k] for k in keys if k in key}
    check_grading(b, pmmu, opts, n, right, "item %d, every step right" % n, keyboard)
    # the entry of the first level wrong, later steps right: they are not graded, and
    # nothing the student did not give appears
    level = "pdpte" if opts["mode"] == "pae" else "pde"
    wrong = dict(right)
    wrong[level] = "0x%x" % (int(right[level], 16) ^ 0x2)
    graded, shown = check_grading(b, pmmu, opts, n, wrong, "item %d, a wrong %s" % (n, level),
                                  keyboard)
    check(not graded["correct"] and graded["not_graded"] > 0,
          "(native grades it wrong with later steps not graded)")
    after = keys[keys.index(level):]
    secret = [key[k] for k in after if k in key and key[k] != "none"]
    leaked = [v for v in secret if v in shown]
    check(not leaked and b.eval("document.querySelector('#item-%d .reveal-box')"
                                ".childElementCount" % n) == 0,
          "item %d: the grading reveals none of the answers %s" % (n, leaked or ""))
    # a wrong error code / a right one, on a faulting item if there is one
    faulting = [i for i in solution["items"] if "fault" in i["result"]]
    if faulting:
        f = faulting[0]
        ec = int(f["result"]["fault"], 16)
        check_grading(b, pmmu, opts, f["n"], {"fault": "0x%x" % (ec ^ 0x2)},
                      "item %d, the W/R bit of the error code wrong" % f["n"])
        check_grading(b, pmmu, opts, f["n"], {"fault": f["result"]["fault"], "pa": "0x1000"},
                      "item %d, the right error code and a PA" % f["n"])
    # a malformed answer: the native message
    check_grading(b, pmmu, opts, n, {"pde": "0xZZ"}, "item %d, a malformed number" % n)
    b.no_problems("grading the exercise")


def test_quiz(b, pmmu, base_url):
    test_exercise(b, pmmu, base_url, {"seed": "7", "mode": "32-bit"}, "#seed=7&mode=32-bit",
                  keyboard=True)
    test_exercise(b, pmmu, base_url, {"seed": "5", "mode": "pse"}, "?seed=5&mode=pse",
                  keyboard=False)
    test_exercise(b, pmmu, base_url, {"seed": "11", "mode": "pae", "nx": True, "decoded": True},
                  "#seed=11&mode=pae&nx=1&decoded=1", keyboard=False)

    step("the exercise from the keyboard")
    # Tab goes from box to box
    b.eval("document.querySelector('#item-1 input[name=pdpt]').focus(); true")
    b.key("Tab", "Tab", 9)
    check(b.eval("document.activeElement.name") == "pdpte_addr",
          "Tab moves from the PDPTE index box to the PDPTE address box")
    # Enter in the seed box generates the exercise and puts the seed in the URL
    b.type_into("#quiz-seed", "12")
    b.eval("document.getElementById('quiz-mode').value = '32-bit';"
           " document.getElementById('quiz-decoded').checked = false; true")
    b.enter()
    b.wait_for("location.hash.includes('seed=12')", "Enter in the seed box to update the URL")
    first = native_json(pmmu, "quiz", "--seed", "12", "--json")["items"][0]
    check(first["va"] in b.text("#item-1 h3"),
          "Enter in the seed box generated seed 12's exercise (item 1: %s)" % first["va"])
    hash_ = b.eval("location.hash")
    check(hash_ == "#seed=12&mode=32-bit&items=4", "the URL carries it: %s" % hash_)
    # a bad seed: native's message, no exception
    status, _, err = native(pmmu, "quiz", "--seed", "seven", "--json")
    b.type_into("#quiz-seed", "seven")
    b.enter()
    b.wait_for("!!document.querySelector('#quiz-out .message.error')", "the bad seed's message")
    check(status == 2 and err.strip() in b.text("#quiz-out"),
          "a bad seed shows native's message: %s" % err.strip())
    b.no_problems("the exercise from the keyboard")


# ---- 1,000 translations -------------------------------------------------------------------

def test_thousand(b, pmmu, tmp):
    step("1,000 translations")
    lines = ["cr3 0x00100000", "mem32 0x00100004 0x00101027"]
    lines += ["mem32 0x%08x 0x%08x" % (0x00101000 + 4 * i, 0x00800027 + 0x1000 * i)
              for i in range(64)]
    lines += ["read 0x%08x user" % (0x00400000 + (i * 0x1040) % 0x40000) for i in range(1000)]
    text = "\n".join(lines) + "\n"
    path = write(os.path.join(tmp, "thousand.pmmu"), text)
    status, out, _ = native(pmmu, "run", "--json", path)
    set_source(b, text)
    run_editor(b)
    run = b.eval("window.pmmuPage.lastRun")
    check(run["accesses"] == 1000 and run["status"] == 0, "the page ran 1,000 reads")
    module = b.eval("""(() => { const p = window.pmmuPage.pmmu; const t0 = performance.now();
        const r = p.run(['run', '--json', 'scenario.pmmu']);
        return [performance.now() - t0, r.out]; })()""")
    check(module[1] == out, "the 1,000 results are native pmmu run --json's, byte for byte")
    print("TIME: 1,000 translations: %.1f ms in the module (pmmu run --json), %.1f ms for the "
          "page (with --tlb-state and the listing drawn)" % (module[0], run["ms"]))
    b.no_problems("1,000 translations")
    b.click("#reset-source")


# ---- the layout ---------------------------------------------------------------------------

def check_layout(b, width, height, mobile, min_font, what):
    b.viewport(width, height, mobile)
    sizes = b.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    # what sticks out of the screen, outside the boxes that scroll on their own
    wide = b.eval("""Array.from(document.querySelectorAll('body *')).filter(e => {
        for (let p = e.parentElement; p; p = p.parentElement)
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
        return e.getBoundingClientRect().right > window.innerWidth + 1; }).slice(0, 5)
        .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
    check(sizes[0] <= sizes[1] and not wide,
          "%s (%d x %d): nothing wider than the screen (%d <= %d) %s"
          % (what, width, height, sizes[0], sizes[1], wide or ""))
    small = b.eval("""Array.from(document.querySelectorAll('main *')).filter(e =>
        e.childNodes.length && Array.from(e.childNodes).some(c => c.nodeType === 3
          && c.textContent.trim()) && e.getClientRects().length
          && parseFloat(getComputedStyle(e).fontSize) < %f).slice(0, 5)
        .map(e => e.tagName + '.' + e.className + ' ' + getComputedStyle(e).fontSize)"""
                   % min_font)
    check(not small, "%s: no text smaller than %g px %s" % (what, min_font, small or ""))


def test_layout(b, base_url):
    step("the layout: phone and projector")
    b.load(base_url + "#seed=7&mode=32-bit")
    b.click("#item-1 button.reveal")
    check_layout(b, 390, 844, True, 12, "a phone")
    check(b.eval("parseFloat(getComputedStyle(document.body).fontSize)") >= 16,
          "a phone: the body text is at least 16 px")
    check_layout(b, 1024, 768, False, 14, "a projector")
    check_layout(b, 1920, 1080, False, 14, "a full-HD projector")
    check(b.eval("parseFloat(getComputedStyle(document.body).fontSize)") >= 18,
          "a projector: the body text is at least 18 px")
    b.send("Emulation.clearDeviceMetricsOverride")
    b.no_problems("the layouts")


# ---- screenshots --------------------------------------------------------------------------

def showcase(b, base_url, pmmu):
    """The page as the screenshot shows it: an exercise with a graded answer and one shown,
    the README's example run, the walk of its write and the TLB after its read."""
    b.load(base_url + "#seed=7&mode=32-bit")
    solution = native_json(pmmu, "quiz", "--seed", "7", "--solve", "--json")
    item = [i for i in solution["items"] if "pa" in i["result"]][0]
    key = solution_keys(item)
    for k in ("pde_addr", "pde", "pte_addr"):
        b.eval("document.querySelector('#item-%d input[name=%s]').value = %s; true"
               % (item["n"], k, js(key[k])))
    b.eval("document.querySelector('#item-%d input[name=pte]').value = %s; true"
           % (item["n"], js("0x%08x" % (int(key["pte"], 16) ^ 0x4))))
    b.click("#item-%d form button[type=submit]" % item["n"])
    b.click("#item-1 button.reveal")
    b.click('#run-out tr[data-line="4"] button.pick')  # the TLB after the read
    b.eval("document.getElementById('walk-access').value = 'write'; true")
    b.click("#walk-form button[type=submit]")  # the walk of the write: #PF, the TLB's entry
    b.eval("window.scrollTo(0, 0); true")


def screenshot(b, out, width, height, mobile):
    b.viewport(width, height, mobile)
    metrics = b.send("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = b.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                  clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1})
    data = base64.b64decode(shot["data"])
    got = struct.unpack(">II", data[16:24]) if data[:8] == b"\x89PNG\r\n\x1a\n" else None
    check(got and got[0] == width,
          "a PNG screenshot %s px wide (%s)" % (width, got))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(data)
    print("screenshot: %s (%d x %d)" % (out, got[0], got[1]))


def test_screenshots(b, base_url, pmmu, desktop, phone):
    step("screenshots")
    showcase(b, base_url, pmmu)
    check("is wrong" in b.text("#quiz-out"),
          "the screenshot's exercise has a graded answer")
    check(b.eval("!!document.querySelector('#walk-out .figure')")
          and b.eval("!!document.querySelector('#tlb-4k td.fill')"),
          "the screenshot has the walk figure and the TLB view")
    if desktop:
        screenshot(b, desktop, 1400, 900, False)
    if phone:
        screenshot(b, phone, 390, 844, True)
    b.send("Emulation.clearDeviceMetricsOverride")
    b.no_problems("the screenshots")


# ---- processes ----------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, log, name, procs):
    """A process in a session of its own (its helpers share its process group, whose id is
    its PID), its output into LOG; noted in PROCS at once, to be stopped whatever happens."""
    with open(log, "wb") as f:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                stderr=subprocess.STDOUT, start_new_session=True)
    procs.append((name, proc))
    return proc


def stop(proc, name):
    """Stops a process this test started, then what is left of its process group."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print("%s (PID %d) ignored SIGTERM: SIGKILL" % (name, proc.pid))
            proc.kill()
            proc.wait()
    # chromium's helpers (zygote, renderers) are in the group whose id is chromium's PID
    for sig in (signal.SIGTERM, signal.SIGKILL):
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
    print("%s's process group %d did not go" % (name, proc.pid))


def tail(path, lines=15):
    """The end of a log, without chromium's complaints about the D-Bus it has no use for."""
    try:
        with open(path, errors="replace") as f:
            return "".join([line for line in f if ":ERROR:dbus/" not in line][-lines:])
    except OSError:
        return ""


def wait_until(cond, timeout, what):
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise Failure("timed out (%d s) waiting for %s" % (timeout, what))
        time.sleep(0.05)


def start_chromium(chromium, tmp, procs):
    profile = os.path.join(tmp, "profile")
    proc = start([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                  "--disable-dev-shm-usage", "--disable-background-timer-throttling",
                  "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                  "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                  "--user-data-dir=" + profile, "--window-size=1400,900", "about:blank"],
                 os.path.join(tmp, "chromium.log"), "chromium", procs)
    active = os.path.join(profile, "DevToolsActivePort")

    def port():
        if proc.poll() is not None:
            raise Failure("chromium exited (status %d) before its DevTools server started"
                          % proc.returncode)
        try:
            with open(active) as f:
                words = f.read().split()
        except OSError:
            return None
        return int(words[0]) if words else None
    devtools = wait_until(port, 60, "chromium's DevTools server")

    def first_page():  # the first tab may come a moment after the DevTools server
        url = "http://127.0.0.1:%d/json/list" % devtools
        with urllib.request.urlopen(url, timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        return pages[0] if pages else None
    return wait_until(first_page, 60, "chromium's first tab")


def start_server(site, tmp, procs):
    port = free_port()
    proc = start([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                  "--directory", site], os.path.join(tmp, "server.log"), "the http server",
                 procs)

    def up():
        if proc.poll() is not None:
            raise Failure("the http server exited (status %d)" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False
    wait_until(up, 60, "the http server on 127.0.0.1:%d" % port)
    return "http://127.0.0.1:%d/index.html" % port


def on_signal(signum, _frame):
    if signum == signal.SIGALRM:
        raise Failure("the test's deadline passed")
    raise Failure("stopped by signal %d" % signum)


def run_tests(a, tmp, procs):
    example = readme_example(a.readme)
    base_url = start_server(a.site, tmp, procs)
    target = start_chromium(a.chromium, tmp, procs)
    b = Browser(target["webSocketDebuggerUrl"])
    for domain in ("Runtime", "Log", "Page", "Inspector"):
        b.send(domain + ".enable")
    step("loading the page")
    b.load(base_url)
    check(b.eval("document.querySelectorAll('#quiz-out .item').length") == 4,
          "the page opens with an exercise (seed 1, 4 items)")
    b.no_problems("loading the page")
    test_scenario(b, a.pmmu, example, tmp)
    test_walk(b, a.pmmu, example, a.scenarios, tmp)
    test_quiz(b, a.pmmu, base_url)
    test_thousand(b, a.pmmu, tmp)
    test_layout(b, base_url)
    test_screenshots(b, base_url, a.pmmu, a.screenshot, a.phone_screenshot)


def main():
    sys.stdout.reconfigure(line_buffering=True)  # every line out at once, even if killed
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--pmmu", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--readme", required=True)
    ap.add_argument("--scenarios",
                    default=os.path.join(os.path.dirname(__file__), "../../testbench/scenarios"))
    ap.add_argument("--wasm")
    ap.add_argument("--screenshot", help="the page at 1400 px, whole (PNG)")
    ap.add_argument("--phone-screenshot", help="the page at 390 px, whole (PNG)")
    ap.add_argument("--deadline", type=int, default=240,
                    help="seconds before the test stops itself (below ctest's TIMEOUT)")
    a = ap.parse_args()
    for name, p in (("pmmu.js", os.path.join(a.site, "pmmu.js")), ("pmmu.wasm", a.wasm)):
        if p and os.path.exists(p):
            print("SIZE: %s: %d bytes" % (name, os.path.getsize(p)))
    for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    signal.alarm(a.deadline)
    t0 = time.monotonic()
    procs = []
    with tempfile.TemporaryDirectory(prefix="pmmu-web-") as tmp:
        try:
            run_tests(a, tmp, procs)
            print("web.browser: all checks passed in %.1f s" % (time.monotonic() - t0))
            return 0
        except Exception as e:  # every failure says what failed, and where
            print("FAILED: in step '%s' after %.1f s: %s%s"
                  % (STEP[0], time.monotonic() - t0,
                     "" if isinstance(e, Failure) else type(e).__name__ + ": ", e))
            if not isinstance(e, Failure):
                traceback.print_exc(file=sys.stdout)
            for name, log in (("chromium", "chromium.log"), ("the http server", "server.log")):
                text = tail(os.path.join(tmp, log))
                if text.strip():
                    print("--- the end of %s's output:\n%s" % (name, text.rstrip()))
            return 1
        finally:
            signal.alarm(0)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # the cleanup is not interrupted
            for name, proc in reversed(procs):
                stop(proc, name)


if __name__ == "__main__":
    sys.exit(main())
