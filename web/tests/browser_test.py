#!/usr/bin/python3
"""The page in a real browser (ctest web.browser, docs/web.md).

Serves the built site over `python3 -m http.server` on 127.0.0.1, starts Debian's chromium
headless with the DevTools protocol on localhost, and drives the page:
  - loading it raises no console error and no exception (checked after every step);
  - the editor holds the README's example; its results, line by line, are those of the
    native `pmmu run --json`; a bad line is shown at its line with the native message;
  - the walk figure gives the native `pmmu explain --json` answer (when explain has --json);
  - the exercise of a seed shows the answers of the native `pmmu quiz --seed S --solve --json`,
    a wrong answer is graded as the native `--check` grades it, and Enter in the seed box
    regenerates the exercise and puts the seed in the URL (when this pmmu has `quiz`);
  - 1,000 translations: a scenario of 1,000 reads, timed in the page;
  - nothing overflows sideways on a phone-sized screen;
  - a screenshot of the whole page is written (docs/web.png).
Every process it starts is stopped by its PID at the end, also on failure.
"""
import argparse
import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # Debian's python3-websocket

SEED = "7"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what)


class Browser:
    """A minimal DevTools protocol client: commands by id, events kept as they arrive."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.next_id = 0
        self.problems = []  # console errors and exceptions

    def _event(self, msg):
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            self.problems.append("exception: %s" % text)
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            args = [a.get("value", a.get("description", "")) for a in params["args"]]
            self.problems.append("console.%s: %s" % (params["type"], " ".join(map(str, args))))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.problems.append("log: %s %s" % (params["entry"]["text"], params["entry"].get("url", "")))

    def send(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise Failure("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self._event(msg)

    def eval(self, expression):
        r = self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise Failure("page: %s: %s" % (expression[:60], r["exceptionDetails"].get(
                "exception", {}).get("description", r["exceptionDetails"].get("text"))))
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.eval(expression):
                return
            time.sleep(0.1)
        raise Failure("timed out waiting for " + what)

    def no_problems(self, step):
        self.send("Runtime.evaluate", expression="0")  # collect pending events
        check(not self.problems, "no console error or exception after: %s %s" % (step, self.problems or ""))

    def load(self, url):
        # by way of a blank page: a URL that differs only in its #fragment would not reload
        self.send("Page.navigate", url="about:blank")
        self.wait_for("location.href === 'about:blank'", "about:blank")
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!window.pmmuPage && !!window.pmmuPage.pmmu",
                      "the page and its module to load")

    def key(self, key, code, text=None):
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": 13 if key == "Enter" else 0}
            if text and kind == "keyDown":
                params["text"] = text
            self.send("Input.dispatchKeyEvent", **params)


def native(pmmu, *args):
    r = subprocess.run([pmmu] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def readme_example(readme):
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"A scenario sets up page tables[^\n]*\n\n```\n(.*?)```", text, re.S)
    if not m:
        raise Failure("README.md: the example scenario after 'A scenario sets up page tables' is gone")
    return m.group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc):
    """Stops a process this test started, and the processes in its own session."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    # chromium's helpers (zygote, renderers) are in the session started for it
    # (start_new_session): the group whose id is its PID; they go with it.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        end = time.time() + 5
        while time.time() < end:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return


def js(value):
    return json.dumps(value)


def set_source(b, text):
    b.eval("document.getElementById('source').value = %s; true" % js(text))


def test_scenario(b, pmmu, readme, tmp):
    example = readme_example(readme)
    check(b.eval("document.getElementById('source').value") == example,
          "the editor holds the README's example scenario")
    path = os.path.join(tmp, "readme.pmmu")
    open(path, "w").write(example)
    status, out, _ = native(pmmu, "run", "--json", path)
    check(status == 0, "native pmmu run --json on the README example exits 0")
    b.eval("document.querySelector('#run-form button[type=submit]').click(); true")
    rows = b.eval("""Array.from(document.querySelectorAll('#run-out tr')).map(tr =>
        [Number(tr.dataset.line), Array.from(tr.querySelectorAll('.res')).map(d => d.textContent)])""")
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
            parts += ["PA " + o["pa"]] if "pa" in o else ["ec %s, CR2 %s" % (o["fault"]["ec"], o["fault"]["cr2"])]
            check(any(all(p in t for p in parts) for t in texts),
                  "line %d: %s %s shown as native: %s" % (o["line"], o["op"], o["va"], ", ".join(parts)))
    # the TLB view of the first access: the fill of set 0, way 0 (as `--tlb-state` says)
    status, out, _ = native(pmmu, "run", "--json", "--tlb-state", path)
    state = [json.loads(l) for l in out.splitlines() if '"tlb-state"' in l][0]
    f = state["fill"]
    cell = b.eval("""(() => { const t = document.getElementById('tlb-4k');
        const c = t && t.querySelector('td.fill'); if (!c) return null;
        const tr = c.parentElement; return [Number(tr.firstChild.textContent),
        Array.from(tr.children).indexOf(c) - 1, c.textContent]; })()""")
    e = state["entries"]["4K"][f["set"]][f["way"]]
    check(cell is not None and cell[0] == f["set"] and cell[1] == f["way"] and e["la"] in cell[2]
          and e["frame"] in cell[2], "the TLB view outlines the way the first access filled "
          "(set %d, way %d: %s -> %s)" % (f["set"], f["way"], e["la"], e["frame"]))
    b.no_problems("running the README example")

    # a bad line: nothing runs, the message at its line, as the native pmmu words it
    bad = example.replace("read  0x00400123 user", "read  0x00400123 usr")
    line = bad.splitlines().index("read  0x00400123 usr") + 1
    open(path, "w").write(bad)
    status, _, err = native(pmmu, "run", "--json", path)
    what = re.search(r":%d: error: (.*)" % line, err).group(1)
    set_source(b, bad)
    b.eval("document.querySelector('#run-form button[type=submit]').click(); true")
    got = b.eval("""(() => { const tr = document.querySelector('#run-out tr[data-line="%d"]');
        return tr ? [tr.className, tr.textContent] : null; })()""" % line)
    check(status == 2 and got and "error" in got[0] and ("error: " + what) in got[1],
          "a bad line is shown at line %d: %s" % (line, what))
    b.no_problems("a scenario with a bad line")
    b.eval("document.getElementById('reset-source').click(); true")
    return path


def test_walk(b, pmmu, path):
    status, out, err = native(pmmu, "explain", path, "0x00400123", "read", "user", "--json")
    if status != 0:
        print("SKIPPED: the walk figure: this pmmu's explain has no --json (%s)" % err.strip())
        shown = b.eval("document.getElementById('walk-out').textContent")
        check("0x000801123" in shown, "the walk shows explain's text with the PA 0x000801123")
        return
    d = json.loads(out)
    b.eval("document.querySelector('#run-out tr[data-line=\"4\"]').click(); true")
    shown = b.eval("document.getElementById('walk-out').textContent")
    check(d["pa"] in shown and all(s["value"] in shown for s in d["steps"]),
          "the walk figure shows native explain --json's entries and PA %s" % d["pa"])
    b.no_problems("the walk figure")


def test_quiz(b, pmmu, base_url):
    if native(pmmu, "quiz", "--help")[0] != 0:
        print("SKIPPED: the exercise: this pmmu has no 'quiz' command")
        return
    status, out, err = native(pmmu, "quiz", "--seed", SEED, "--solve", "--json")
    check(status == 0, "native pmmu quiz --seed %s --solve --json exits 0 %s" % (SEED, err))
    solution = json.loads(out)
    b.load(base_url + "#seed=%s&mode=32-bit" % SEED)
    check(b.eval("document.getElementById('quiz-seed').value") == SEED, "the URL's seed is in the seed box")
    for item in solution["items"]:
        n = item["n"]
        b.eval("document.querySelector('#item-%d button.reveal').click(); true" % n)
        text = b.eval("document.querySelector('#item-%d .reveal-box').textContent" % n)
        want = [s["addr"] for s in item["steps"]] + [s["value"] for s in item["steps"]]
        want += [item["result"]["pa"]] if "pa" in item["result"] else [item["result"]["fault"]]
        missing = [w for w in want if w not in text]
        check(not missing, "item %d: the answers shown are native --solve's %s" % (n, missing or ""))
    # a wrong answer, graded as the native --check grades it
    item = solution["items"][0]
    first = item["steps"][0]
    wrong = "0x%x" % (int(first["value"], 16) ^ 0x2)
    key = first["name"]
    status, out, _ = native(pmmu, "quiz", "--seed", SEED, "--check", "%s=%s" % (key, wrong),
                            "--item", str(item["n"]), "--json")
    graded = json.loads(out)
    why = [s for s in graded["steps"] if not s["ok"]][0].get("why", "")
    b.eval("""(() => { const f = document.querySelector('#item-%d form');
        f.querySelector('input[name=%s]').value = %s; f.requestSubmit(); return true; })()"""
           % (item["n"], key, js(wrong)))
    text = b.eval("document.querySelector('#item-%d .grade-box').textContent" % item["n"])
    check(graded["correct"] is False and "is wrong" in text and why in text,
          "a wrong %s (%s) is graded as native --check: %r" % (key, wrong, why))
    b.no_problems("the exercise")
    # the keyboard: Enter in the seed box generates the exercise and puts the seed in the URL
    b.eval("const s = document.getElementById('quiz-seed'); s.value = '12'; s.focus(); true")
    b.key("Enter", "Enter", "\r")
    b.wait_for("location.hash.includes('seed=12')", "Enter in the seed box to update the URL")
    status, out, _ = native(pmmu, "quiz", "--seed", "12", "--json")
    first_va = json.loads(out)["items"][0]["va"]
    check(first_va in b.eval("document.getElementById('item-1').textContent"),
          "Enter in the seed box generated seed 12's exercise (item 1: %s)" % first_va)
    b.no_problems("the exercise from the keyboard")


def test_thousand(b, pmmu, tmp):
    lines = ["cr3 0x00100000", "mem32 0x00100004 0x00101027"]
    lines += ["mem32 0x%08x 0x%08x" % (0x00101000 + 4 * i, 0x00800027 + 0x1000 * i) for i in range(64)]
    lines += ["read 0x%08x user" % (0x00400000 + (i * 0x1040) % 0x40000) for i in range(1000)]
    text = "\n".join(lines) + "\n"
    path = os.path.join(tmp, "thousand.pmmu")
    open(path, "w").write(text)
    status, out, _ = native(pmmu, "run", "--json", path)
    set_source(b, text)
    b.eval("document.querySelector('#run-form button[type=submit]').click(); true")
    run = b.eval("window.pmmuPage.lastRun")
    check(run["accesses"] == 1000 and run["status"] == 0, "the page ran 1,000 reads")
    module = b.eval("""(() => { const p = window.pmmuPage.pmmu; const t0 = performance.now();
        const r = p.run(['run', '--json', 'scenario.pmmu']); return [performance.now() - t0, r.out]; })()""")
    check(module[1] == out, "the 1,000 results are the native pmmu run --json's, byte for byte")
    print("TIME: 1,000 translations: %.1f ms in the module (pmmu run --json), %.1f ms for the page "
          "(with --tlb-state and the listing drawn)" % (module[0], run["ms"]))
    b.no_problems("1,000 translations")
    b.eval("document.getElementById('reset-source').click(); true")


def test_phone(b):
    b.send("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=False)
    b.wait_for("window.innerWidth === 390", "the phone-sized viewport")
    time.sleep(0.2)  # the layout after the resize
    width = b.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = b.eval("""Array.from(document.querySelectorAll('body *')).filter(e =>
        e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e =>
        e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
    check(width[0] <= width[1], "nothing overflows sideways on a 390-pixel phone screen (%d <= %d) %s"
          % (width[0], width[1], wide if width[0] > width[1] else ""))
    b.send("Emulation.clearDeviceMetricsOverride")


def screenshot(b, base_url, out):
    b.send("Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False)
    b.load(base_url + "#seed=%s&mode=32-bit" % SEED)
    b.eval("const r = document.querySelector('#item-1 button.reveal'); if (r) r.click(); true")
    metrics = b.send("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = b.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                  clip={"x": 0, "y": 0, "width": 1400, "height": size["height"], "scale": 1})
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("screenshot: %s (1400 x %d)" % (out, size["height"]))
    b.no_problems("the screenshot")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--pmmu", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--readme", required=True)
    ap.add_argument("--wasm")
    ap.add_argument("--screenshot")
    a = ap.parse_args()
    for name in ("pmmu.js", "pmmu.wasm"):
        p = os.path.join(a.site, name) if name == "pmmu.js" else a.wasm
        if p and os.path.exists(p):
            print("SIZE: %s: %d bytes" % (name, os.path.getsize(p)))
    server = chromium = None
    with tempfile.TemporaryDirectory(prefix="pmmu-web-") as tmp:
        try:
            port = free_port()
            server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                       "--directory", a.site], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
            profile = os.path.join(tmp, "profile")
            chromium = subprocess.Popen([a.chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                         "--no-first-run", "--remote-debugging-address=127.0.0.1",
                                         "--remote-debugging-port=0", "--user-data-dir=" + profile,
                                         "--window-size=1400,900", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
            active = os.path.join(profile, "DevToolsActivePort")
            end = time.time() + 30
            while not os.path.exists(active) or not open(active).read().strip():
                if time.time() > end or chromium.poll() is not None:
                    raise Failure("chromium did not start its DevTools server")
                time.sleep(0.1)
            devtools = int(open(active).read().split()[0])
            end = time.time() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.time() > end:
                        raise Failure("the http server did not start")
                    time.sleep(0.1)
            end = time.time() + 30
            pages = []
            while not pages:  # the first tab may come a moment after the DevTools server
                if time.time() > end:
                    raise Failure("chromium shows no page over DevTools")
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % devtools))
                pages = [t for t in targets if t["type"] == "page"]
                time.sleep(0.1)
            target = pages[0]
            b = Browser(target["webSocketDebuggerUrl"])
            for domain in ("Runtime", "Log", "Page"):
                b.send(domain + ".enable")
            base_url = "http://127.0.0.1:%d/index.html" % port
            b.load(base_url)
            b.no_problems("loading the page")
            path = test_scenario(b, a.pmmu, a.readme, tmp)
            test_walk(b, a.pmmu, path)
            test_quiz(b, a.pmmu, base_url)
            test_thousand(b, a.pmmu, tmp)
            test_phone(b)
            if a.screenshot:
                screenshot(b, base_url, a.screenshot)
            print("web.browser: all checks passed")
            return 0
        except Failure as e:
            print("FAILED:", e)
            return 1
        finally:
            stop(chromium)
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
