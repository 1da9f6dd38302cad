"""Screenshots of followup_manager's main screens, taken from a running demo.

Run through ``bin/screenshots`` (which finds Odoo, the venv and the database
options). Steps:

1. Preparation, in ``odoo-bin shell`` on the demo database: the demo's confirmed
   sale orders that are not followed up yet (confirmed before the add-on was
   installed) are enrolled in the after-sale care sequence, as a salesperson does
   with *Enroll*, and the dispatch runs once (``_cron_dispatch``, which commits),
   so that the enrollment and the dispatch analysis have decisions to show; it
   then prints the signed URL of a demo contact's preference page (a private
   method, hence the shell).
2. JSON-RPC (``/web/session/authenticate``) gives a session cookie and the ids of
   the demo records.
3. Headless Chromium, driven through the Chrome DevTools Protocol, opens each
   screen at 1280x800, waits until it has settled and saves a PNG (optimised
   with Pillow when larger than 300 KB).

Only localhost is contacted; Chromium is always killed at the end.
"""

import argparse
import base64
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

import requests
import websocket
from PIL import Image

WIDTH, HEIGHT = 1280, 800
MAX_BYTES = 300 * 1024
SETTLE_SECONDS = 1.5
PAGE_TIMEOUT = 60
UNSTYLED_RELOAD_SECONDS = 10
MARKER = "FM_SCREENSHOTS_JSON "

# Screens taken in another language than the admin's: the admin reads them in it.
SHOT_LANGS = {"enrollment_form_it.png": "it_IT"}

# Runs inside ``odoo-bin shell`` (``env`` is given); prints one line of JSON.
PREPARE = r"""
import json
for lang in __LANGS__:
    # The languages of the screens in another language, with every installed
    # module's terms (the web client's too).
    env["res.lang"]._activate_lang(lang) or env["res.lang"]._create_lang(lang)
    env["ir.module.module"].search([("state", "=", "installed")])._update_translations(lang)
if __LANGS__:
    env.cr.commit()
    # Tell the running server: its cached list of languages is stale.
    env.registry.signal_changes()
seq = env.ref("followup_manager_sale.followup_sequence_post_sale_demo")
Dispatch = env["followup.dispatch"]
followed = {
    enrollment.origin.id
    for enrollment in env["followup.enrollment"].search([("sequence_id", "=", seq.id)])
    if enrollment.origin and enrollment.origin._name == "sale.order"
}
orders = env["sale.order"].search([("state", "=", "sale"), ("id", "not in", list(followed))])
prepared = False
if orders:
    # The demo's sale orders confirmed before the add-on was installed: follow
    # them up as a salesperson does with "Enroll" on each order, and run the
    # dispatch once, as its scheduled job would, so that the enrollments and the
    # dispatch analysis have decisions to show.
    for order in orders:
        seq.enroll(order.partner_id.ids, "sale.order", order.id)
    env["followup.enrollment"]._cron_dispatch()
    prepared = True
env.cr.commit()
# An enrollment whose last decision says why it waits (else any with decisions).
enrollment = env["followup.enrollment"].search(
    [("sequence_id", "=", seq.id), ("dispatch_ids.state", "=", "deferred")], order="id", limit=1
) or env["followup.enrollment"].search(
    [("sequence_id", "=", seq.id), ("dispatch_ids", "!=", False)], order="id", limit=1
)
partner = env.ref("base.res_partner_address_17")
print("__MARKER__" + json.dumps({
    "prepared": prepared,
    "dispatch_count": Dispatch.search_count([]),
    "enrollment_id": enrollment.id,
    "preferences_url": partner._followup_preferences_url(),
}))
""".replace("__MARKER__", MARKER)


def log(message):
    print(f"[screenshots] {message}", file=sys.stderr, flush=True)


def prepare(args, langs=()):
    """Runs PREPARE in ``odoo-bin shell`` and returns its JSON answer; ``langs``: the
    languages to load first."""
    cmd = [sys.executable, args.odoo_bin, "shell", *args.odoo_args, "-d", args.db]
    cmd += ["--no-http", "--log-level=warn"]
    script = PREPARE.replace("__LANGS__", repr(sorted(langs)))
    proc = subprocess.run(
        cmd, input=script, capture_output=True, text=True, timeout=900, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
    raise SystemExit("preparation in odoo-bin shell failed (output above)")


class Rpc:
    """JSON-RPC client of the web client's routes, with the session cookie."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.session = requests.Session()
        result = self.call("/web/session/authenticate", db=db, login=login, password=password)
        if not result.get("uid"):
            raise SystemExit(f"cannot log in as {login} on {db}")
        self.session_id = self.session.cookies["session_id"]
        self.uid = result["uid"]
        self.lang = result.get("user_context", {}).get("lang") or "en_US"

    def set_lang(self, lang):
        """The logged-in user's language: the web client reads it at each page load."""
        self.kw("res.users", "write", [self.uid], {"lang": lang})

    def call(self, route, **params):
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        answer = self.session.post(self.url + route, json=payload, timeout=60).json()
        if "error" in answer:
            raise SystemExit(f"{route}: {answer['error']['data']['message']}")
        return answer["result"]

    def kw(self, model, method, *args, **kwargs):
        return self.call(
            "/web/dataset/call_kw", model=model, method=method, args=list(args), kwargs=kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.kw(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        if not rows:
            raise SystemExit(f"no record {xmlid} in the database: is the demo data installed?")
        return rows[0]["res_id"]


class Chromium:
    """A headless Chromium and one page, driven through the DevTools Protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="fm_screenshots_")
        cmd = [
            binary,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",  # a free port, written to DevToolsActivePort
            f"--user-data-dir={self.profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.ws = None
        self.next_id = 0
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def _connect(self):
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        port = None
        while time.monotonic() < deadline and self.proc.poll() is None:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    first = f.readline().strip()
                if first.isdigit():
                    port = int(first)
                    break
            time.sleep(0.2)
        if not port:
            raise SystemExit("Chromium did not start (no DevTools port)")
        page = None
        while time.monotonic() < deadline and not page:
            targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
            page = next((t for t in targets if t.get("type") == "page"), None)
            if not page:
                time.sleep(0.2)
        if not page:
            raise SystemExit("Chromium has no page to drive")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=PAGE_TIMEOUT, suppress_origin=True
        )

    def send(self, method, **params):
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + PAGE_TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == msg_id:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message.get("result", {})
        raise SystemExit(f"{method}: no answer in {PAGE_TIMEOUT} s")

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise SystemExit(f"JavaScript error: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def close(self):
        if self.ws is not None:
            with contextlib.suppress(websocket.WebSocketException, OSError):
                self.ws.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


# The page is ready when it is loaded, Odoo loads nothing, the screen's own
# element is there, and no error dialog or login form is shown.
READY_JS = """
(() => {
    if (document.readyState !== 'complete') return 'loading';
    if (document.querySelector('.oe_login_form')) return 'error: login page';
    if (document.querySelector('.o_error_dialog')) return 'error: '
        + document.querySelector('.o_error_dialog').innerText.slice(0, 300);
    // A style sheet that failed (e.g. a bundle answered 500 while it was being
    // generated) leaves the page unstyled for good: wait_ready reloads it.
    if ([...document.querySelectorAll('link[rel=stylesheet]')].some((el) => !el.sheet))
        return 'unstyled';
    const busy = [...document.querySelectorAll('.o_loading_indicator, .o-loading, .o_blockUI')]
        .some((el) => el.offsetParent !== null);
    if (busy) return 'busy';
    return document.querySelector(%s) ? 'ready' : 'waiting';
})()
"""


def wait_ready(browser, selector):
    deadline = time.monotonic() + PAGE_TIMEOUT
    state = "loading"
    unstyled_since = None
    while time.monotonic() < deadline:
        state = browser.evaluate(READY_JS % json.dumps(selector))
        if state.startswith("error"):
            raise SystemExit(state)
        if state == "unstyled":
            # Give a late style sheet a few seconds, then load the page again.
            unstyled_since = unstyled_since or time.monotonic()
            if time.monotonic() - unstyled_since > UNSTYLED_RELOAD_SECONDS:
                log(f"a style sheet did not load: page reloaded ({selector})")
                browser.send("Page.reload", ignoreCache=True)
                unstyled_since = None
                time.sleep(1)
        else:
            unstyled_since = None
        if state == "ready":
            time.sleep(SETTLE_SECONDS)  # animations (charts, tabs) end
            return
        time.sleep(0.3)
    raise SystemExit(f"the page did not settle in {PAGE_TIMEOUT} s ({state}, {selector})")


def click(selector):
    """JavaScript clicking an element; true once clicked, false while it is missing."""
    return (
        f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
        " if (!el) return false; el.click(); return true; })()"
    )


def click_all(selector):
    """JavaScript clicking every element (e.g. folded list groups) once."""
    return (
        f"(() => {{ const els = document.querySelectorAll({json.dumps(selector)});"
        " els.forEach((el) => el.click()); return els.length > 0; })()"
    )


GROUP_BY_CHANNEL = {"group_by": ["channel"]}
# Who was contacted, who waits and why, per salesperson.
DISPATCH_PIVOT = {
    "pivot_row_groupby": ["user_id"],
    "pivot_column_groupby": ["state", "reason"],
}


def do_action(xmlid, context, view_type=None):
    """JavaScript opening an action with an additional context (e.g. a grouping,
    which the URL cannot carry) through the web client's action service."""
    options = {"additionalContext": context, "clearBreadcrumbs": True}
    if view_type:
        options["viewType"] = view_type
    return (
        "(() => { const root = odoo.__WOWL_DEBUG__ && odoo.__WOWL_DEBUG__.root;"
        " if (!root) return false;"
        f" root.env.services.action.doAction({json.dumps(xmlid)}, {json.dumps(options)});"
        " return true; })()"
    )


def run_script(browser, script):
    deadline = time.monotonic() + PAGE_TIMEOUT
    while time.monotonic() < deadline:
        if browser.evaluate(script):
            return
        time.sleep(0.3)
    raise SystemExit(f"could not run {script}")


def screens(rpc, prepared):
    """[(file, path, steps)]: each step is (selector, JavaScript): wait until the
    selector is on the settled page, then run the JavaScript (None: take the shot).
    The last screen, the public preference page, is opened without the session."""
    action = "/odoo/action-followup_manager.%s"
    form_rows = ".o_form_view .o_field_one2many .o_data_row"
    loaded = ".o_action_manager .o_view_controller"
    post_sale = rpc.ref("followup_manager_sale.followup_sequence_post_sale_demo")
    partner = rpc.ref("base.res_partner_2")
    forecast = rpc.kw(
        "followup.forecast",
        "search_read",
        [("sequence_id", "=", post_sale)],
        fields=["id"],
        order="id desc",
        limit=1,
    )
    enrollment = prepared["enrollment_id"]
    shots = [
        (
            "sequence_form.png",
            action % f"followup_sequence_action/{post_sale}",
            [(form_rows, None)],
        ),
        (
            # A step opens in its dialog: only what its action needs.
            "step_dialog.png",
            action % f"followup_sequence_action/{post_sale}",
            [
                (form_rows, click(f"{form_rows}:nth-child(2) td[name=name]")),
                (".modal .o_form_view .o_field_widget[name=activity_type_id]", None),
            ],
        ),
        (
            # The first step, an e-mail, previewed on the latest follow-up.
            "step_preview.png",
            action % f"followup_sequence_action/{post_sale}",
            [
                (form_rows, click(f"{form_rows}:nth-child(1) button[name=action_open_preview]")),
                (".modal .o_form_view .o_field_widget[name=subject]", None),
            ],
        ),
        (
            "sequence_kanban.png",
            action % "followup_sequence_action",
            [(".o_kanban_view .o_kanban_record", None)],
        ),
        (
            "partner_form.png",
            f"/odoo/res.partner/{partner}",
            [
                (loaded, click(".o_notebook_headers a[name='followup_consent']")),
                (".o_statusbar_status .o_arrow_button_current", None),
            ],
        ),
        (
            "consent_list.png",
            action % "followup_consent_action",
            [
                (loaded, do_action("followup_manager.followup_consent_action", GROUP_BY_CHANNEL)),
                (".o_list_view .o_group_header", click_all(".o_list_view .o_group_header")),
                (".o_list_view .o_data_row", None),
            ],
        ),
        (
            "consent_history.png",
            action % "followup_consent_event_action",
            [(".o_list_view .o_data_row", None)],
        ),
        (
            # The salesperson's day, as the admin (who owns most demo orders, hence
            # their follow-ups) opens it: the menu's own filters, mine and due this week.
            "my_followups.png",
            action % "followup_enrollment_action_mine",
            [(".o_list_view .o_data_row", None)],
        ),
    ]
    if enrollment:
        # The same form read by an Italian salesperson: the why-log in Italian.
        for name in ("enrollment_form.png", "enrollment_form_it.png"):
            shots.append(
                (name, action % f"followup_enrollment_action/{enrollment}", [(form_rows, None)])
            )
    else:
        log("no enrollment with decisions: enrollment_form.png skipped")
    shots.append(
        (
            "dispatch_analysis.png",
            action % "followup_dispatch_report_action",
            [
                (
                    loaded,
                    do_action(
                        "followup_manager.followup_dispatch_report_action", DISPATCH_PIVOT, "pivot"
                    ),
                ),
                (".o_pivot table .o_pivot_cell_value", None),
            ],
        )
    )
    if forecast:
        shots.append(
            (
                "forecast.png",
                action % f"followup_forecast_action/{forecast[0]['id']}",
                [
                    (loaded, click(".o_followup_forecast_lines")),
                    (".o_graph_view .o_graph_canvas_container canvas", None),
                ],
            )
        )
    else:
        log("no forecast of the after-sale sequence: forecast.png skipped")
    preferences = urlsplit(prepared["preferences_url"]).path
    shots.append(("preferences_page.png", preferences, [("form", None)]))
    return shots


def save_png(data, path):
    image = Image.open(io.BytesIO(data))
    image.load()
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    if buffer.tell() > MAX_BYTES:
        # A palette of 256 colours: invisible on screens of flat colours.
        buffer = io.BytesIO()
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(
            buffer, "PNG", optimize=True
        )
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    return buffer.tell()


def take(browser, base_url, rpc, shots, out):
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=HEIGHT,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.send("Page.enable")
    for name, path, steps in shots:
        public = path.startswith("/followup/")
        if public:
            # The person's page, as the person sees it: no session.
            browser.send("Network.deleteCookies", name="session_id", url=base_url)
        else:
            browser.send(
                "Network.setCookie",
                name="session_id",
                value=rpc.session_id,
                url=base_url,
                httpOnly=True,
            )
        lang = SHOT_LANGS.get(name)
        if lang:
            rpc.set_lang(lang)
        try:
            browser.send("Page.navigate", url=base_url + path)
            for selector, script in steps:
                wait_ready(browser, selector)
                if script:
                    run_script(browser, script)
                    time.sleep(0.5)
            shot = browser.send(
                "Page.captureScreenshot", format="png", captureBeyondViewport=False
            )
        finally:
            if lang:
                rpc.set_lang(rpc.lang)
        size = save_png(base64.b64decode(shot["data"]), os.path.join(out, name))
        log(f"{name}: {size // 1024} KB ({path})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", required=True, help="folder of the PNG files")
    parser.add_argument("--only", default="", help="comma-separated file names")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("odoo_args", nargs="*", help="Odoo options (after --) for the shell")
    args = parser.parse_args()
    base_url = args.url.rstrip("/")
    if urlsplit(base_url).hostname not in ("localhost", "127.0.0.1"):
        raise SystemExit("screenshots are taken from a local demo only (localhost)")

    wanted = {
        name if name.endswith(".png") else name + ".png" for name in args.only.split(",") if name
    }
    langs = {lang for name, lang in SHOT_LANGS.items() if not wanted or name in wanted}
    log(f"preparing the demo data of {args.db}")
    prepared = prepare(args, langs)
    log(
        "demo orders enrolled in After-sale care and dispatch run once"
        if prepared["prepared"]
        else "every demo order is already followed up"
    )
    rpc = Rpc(base_url, args.db, args.login, args.password)
    shots = screens(rpc, prepared)
    if wanted:
        shots = [s for s in shots if s[0] in wanted]
    os.makedirs(args.out, exist_ok=True)
    browser = Chromium(args.chromium)
    try:
        take(browser, base_url, rpc, shots, args.out)
    finally:
        browser.close()
    log(f"{len(shots)} screenshots in {args.out}")


if __name__ == "__main__":
    main()
