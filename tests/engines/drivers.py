"""One small driver surface over three engines, so each journey is written once:
Chromium (Playwright), WebKit (Selenium's WebKitGTK driver running MiniBrowser under Xvfb) and
Firefox (firefox-esr through puppeteer-core over WebDriver BiDi, in firefox-bridge.mjs).

A Tab is one phone: an origin of its own (a relay port and host), opened in a tab of the engine's
one browser for the session. Page code is passed as the source of a function of one argument;
finders are such functions returning an element, written against contract hooks (accessible
names, labels, DESIGN ids), never layout.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("TWITCHLOG_CHROMIUM", "/usr/bin/chromium"))
WEBKIT_BROWSER = Path(os.environ.get("TWITCHLOG_MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"))
WEBKIT_DRIVER = Path(os.environ.get("TWITCHLOG_WEBKITDRIVER", "/usr/bin/WebKitWebDriver"))
FIREFOX = Path(os.environ.get("TWITCHLOG_FIREFOX", "/usr/bin/firefox-esr"))
PHONE = {"width": 390, "height": 844}

# An element's accessible name, near enough for the app's own markup (aria-label, labelledby,
# text); visible means laid out.
_NAME = """
const accName = (e) => (e.getAttribute("aria-label")
  || (e.getAttribute("aria-labelledby") || "").split(" ").map((id) => document.getElementById(id)?.textContent || "").join(" ")
  || e.textContent || e.value || "").replace(/\\s+/g, " ").trim();
const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
"""


def button(name: str) -> str:
    """A finder: the visible <button> whose accessible name begins with `name`."""
    return f"""(name) => {{ {_NAME}
      return [...document.querySelectorAll("button")].find((e) => shown(e) && accName(e).startsWith(name)) || null; }}""", name


def labelled(text: str) -> str:
    """A finder: the form control whose <label> (or aria-label) begins with `text`."""
    return f"""(text) => {{ {_NAME}
      const label = [...document.querySelectorAll("label")].find((l) => l.textContent.replace(/\\s+/g, " ").trim().startsWith(text));
      if (label) return label.control || label.querySelector("input,select,textarea");
      return [...document.querySelectorAll("input,select,textarea")].find((e) => accName(e).startsWith(text)) || null; }}""", text


def missing(engine: str) -> str | None:
    """Why `engine` cannot run on this machine, or None."""
    needs = {
        "chromium": [CHROMIUM],
        "webkit": [WEBKIT_BROWSER, WEBKIT_DRIVER, Path(shutil.which("Xvfb") or "/usr/bin/Xvfb")],
        "firefox": [FIREFOX, Path(shutil.which("node") or "/usr/bin/node"), HERE / "node_modules" / "puppeteer-core"],
    }[engine]
    absent = [str(p) for p in needs if not p.exists()]
    if engine == "webkit":
        try:
            import selenium  # noqa: F401
        except ImportError:
            absent.append("selenium (pip install -e '.[test]')")
    return ", ".join(absent) or None


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A private X display for MiniBrowser (its --headless hangs); (process, ":N")."""
    read, write = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x900x24", "-nolisten", "tcp"],
                               pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    assert display, "Xvfb did not report a display"
    return process, f":{display}"


def launch_webkit(display: str):
    """Selenium's WebKitGTK driver running MiniBrowser on `display`."""
    import warnings

    from selenium import webdriver
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = str(WEBKIT_BROWSER)
    options.add_argument("--automation")
    os.environ["DISPLAY"] = display
    service = Service(executable_path=str(WEBKIT_DRIVER), env={**os.environ, "DISPLAY": display})
    with warnings.catch_warnings():  # selenium's own deprecation inside WebKitGTK's driver
        warnings.simplefilter("ignore", DeprecationWarning)
        driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_script_timeout(30)
    driver.set_window_size(PHONE["width"], PHONE["height"])
    return driver


class Tab:
    engine = ""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.errors: list[str] = []

    # subclasses: _open(url), js(fn, arg), click(find), fill(find, text), reload(), close()

    def open(self, path: str = "/") -> "Tab":
        self._open(self.base_url + path)
        self.wait("() => document.querySelector('#nav a') !== null", what="the app shell")
        return self

    def wait(self, fn: str, arg=None, timeout: float = 20.0, what: str | None = None):
        """Poll `fn(arg)` in the page until it returns something truthy; that value."""
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            try:
                value = self.js(fn, arg)
                if value:
                    return value
            except Exception as error:  # a navigation in between: try again
                last_error = error
            if time.monotonic() > deadline:
                raise AssertionError(f"[{self.engine}] timed out waiting for {what or fn} ({last_error})")
            time.sleep(0.05)

    def route(self, route: str) -> None:
        self.js("(r) => { location.hash = r; }", f"#/{route}")
        self.wait("(r) => document.body.dataset.screen === r && !!document.querySelector('main h1')", route or "home",
                  what=f"the {route} screen")


class ChromiumTab(Tab):
    engine = "chromium"

    def __init__(self, browser, base_url: str):
        super().__init__(base_url)
        self.context = browser.new_context(viewport=PHONE, service_workers="allow")
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _open(self, url):
        self.page.goto(url)

    def js(self, fn, arg=None):
        return self.page.evaluate(fn, arg)

    def _element(self, find):
        fn, arg = find
        handle = self.page.evaluate_handle(fn, arg).as_element()
        assert handle is not None, f"[chromium] nothing found by {arg!r}"
        return handle

    def click(self, find):
        self._element(find).click()

    def fill(self, find, text):
        self._element(find).fill(str(text))
        self._element(find).dispatch_event("change")

    def reload(self):
        self.page.reload()

    def close(self):
        self.context.close()


class WebKitTab(Tab):
    """The session's one MiniBrowser window, shared by the phones of a test: a phone that is not on
    screen is not running (WebKit stops timers in hidden tabs, as an iPhone does), so using another
    phone navigates the window to that phone's origin, as switching phones would."""
    engine = "webkit"

    def __init__(self, driver, base_url: str):
        super().__init__(base_url)
        self.driver = driver

    def _use(self):
        if not self.driver.current_url.startswith(self.base_url + "/"):
            self.driver.get(self.base_url + "/")
        return self.driver

    def _open(self, url):
        self.driver.get(url)

    def js(self, fn, arg=None):
        script = ("const done = arguments[arguments.length - 1];"
                  f"Promise.resolve().then(() => ({fn})(arguments[0]))"
                  ".then((v) => done({ok: true, v: v === undefined ? null : JSON.parse(JSON.stringify(v))}),"
                  " (e) => done({ok: false, e: String(e && e.stack || e)}));")
        result = self._use().execute_async_script(script, arg)
        if not result["ok"]:
            raise RuntimeError(f"[webkit] {result['e']}")
        return result["v"]

    def _element(self, find):
        fn, arg = find
        element = self._use().execute_script(f"return ({fn})(arguments[0]);", arg)
        assert element is not None, f"[webkit] nothing found by {arg!r}"
        return element

    def click(self, find):
        element = self._element(find)
        # WebDriver scrolls only until the element is inside the viewport, which can leave it under
        # the fixed navigation bar; a person would scroll it to the middle first.
        self._use().execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def fill(self, find, text):
        element = self._element(find)
        element.clear()
        element.send_keys(str(text))
        self._use().execute_script("arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", element)

    def reload(self):
        self._use().refresh()

    def close(self):
        if not self.driver.current_url.startswith(self.base_url + "/"):
            self.driver.get(self.base_url + "/manifest.webmanifest")  # cookies are deleted per site shown
        self.driver.delete_all_cookies()
        self.driver.get("about:blank")


class FirefoxBridge:
    """The node process that holds Firefox for the session. A thread reads its answers line by
    line into a queue (select() on a buffered pipe would miss a second line read in one chunk)."""

    def __init__(self):
        self.process = subprocess.Popen(
            ["node", str(HERE / "firefox-bridge.mjs")], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, bufsize=1, env={**os.environ, "TWITCHLOG_FIREFOX": str(FIREFOX)})
        self.events: list[dict] = []
        self._id = 0
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True, name="firefox-bridge").start()
        ready = self._read(90)
        assert ready.get("event") == "ready", ready
        self.version = ready["version"]

    def _pump(self):
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _read(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"[firefox] no answer from the bridge in {timeout} s") from None
        if line is None:
            raise RuntimeError(f"[firefox] the bridge ended (exit {self.process.poll()})")
        return json.loads(line)

    def call(self, op: str, timeout: float = 60, **args):
        self._id += 1
        self.process.stdin.write(json.dumps({"id": self._id, "op": op, **args}) + "\n")
        self.process.stdin.flush()
        while True:
            message = self._read(timeout)
            if "event" in message:
                self.events.append(message)
                continue
            if message.get("id") != self._id:
                continue
            if not message["ok"]:
                raise RuntimeError(f"[firefox] {op}: {message['error']}")
            return message["value"]

    def quit(self):
        try:
            self.call("quit", timeout=20)
        except Exception:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class FirefoxTab(Tab):
    engine = "firefox"

    def __init__(self, bridge: FirefoxBridge, base_url: str):
        super().__init__(base_url)
        self.bridge = bridge
        self.page = None

    @property
    def errors(self):
        return [e["error"] for e in self.bridge.events if e.get("event") == "pageerror" and e.get("page") == self.page]

    @errors.setter
    def errors(self, _):
        pass

    def _open(self, url):
        self.page = self.bridge.call("open", page=self.page, url=url)

    def js(self, fn, arg=None):
        return self.bridge.call("eval", page=self.page, fn=fn, arg=arg)

    def click(self, find):
        fn, arg = find
        self.bridge.call("click", page=self.page, find=fn, arg=arg)

    def fill(self, find, text):
        fn, arg = find
        self.bridge.call("fill", page=self.page, find=fn, arg=arg, text=str(text))

    def reload(self):
        self.bridge.call("reload", page=self.page)

    def close(self):
        if self.page:
            self.bridge.call("cookies:clear")
            self.bridge.call("close", page=self.page)
