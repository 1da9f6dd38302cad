"""The driver of the production rehearsal (started by bin/rehearsal, after seed.py).

    python drive.py ODOO-COMMAND...

1. Starts the SMTP server (smtp_sink.py) and Odoo in prefork mode (the command given).
2. While the cron worker dispatches the due steps and Odoo's mail queue sends:
   - a bounded load on the public pages (one-click unsubscribe POSTs, unsubscribe and
     preference pages read, preferences saved), a few threads on loopback, stopping by
     themselves after a fixed number of requests;
   - replies and bounces of the e-mails the SMTP server accepted, fed to the gateway
     entry point (``mail.thread.message_process`` over XML-RPC, as odoo-mailgate.py does);
   - faults, each at a random moment while steps are due: kill -9 of the cron worker
     while it holds a batch open, the SMTP server stopped and started again, the
     PostgreSQL cluster (the rehearsal's private one) restarted.
3. Then Odoo's own mass mailing sends as many e-mails to the same server.
4. Stops Odoo and the SMTP server, counts from the database and from the SMTP server's
   files, prints the figures and exits 1 when a "must hold" fails.
"""

import email
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client
from html.parser import HTMLParser

import psycopg2
import requests

ODOO_CMD = sys.argv[1:]
DIR = os.environ["RH_DIR"]
DB = os.environ["RH_DB"]
SMALL = os.environ.get("RH_SMALL") == "1"
CRON_WORKERS = int(os.environ.get("RH_CRON_WORKERS", "1"))
SEED = int(os.environ.get("RH_SEED", "1"))
HTTP_PORT = int(os.environ["RH_HTTP_PORT"])
SMTP_PORT = int(os.environ["RH_SMTP_PORT"])
PG_DIR, PG_PORT = os.environ["RH_PG_DIR"], os.environ["RH_PG_PORT"]
PG_BINDIR, PG_OWNER = os.environ["RH_PG_BINDIR"], os.environ.get("RH_PG_OWNER", "")
BASE = f"http://127.0.0.1:{HTTP_PORT}"
HERE = os.path.dirname(os.path.abspath(__file__))
SMTP_DIR = os.path.join(DIR, "smtp")
DEFER_RATE, REFUSE_RATE = 0.05, 0.02
SMTP_DOWN = 15 if SMALL else 60
LOAD_REQUESTS = 240 if SMALL else 3000
LOAD_THREADS = 2 if SMALL else 4
GATEWAY_EACH = 8 if SMALL else 100  # replies, and as many bounces
DEADLINE = (4 if SMALL else 10) * 60  # the follow-ups' phase
MASS_DEADLINE = 3 * 60  # Odoo's mass mailing, measured over 3 minutes

rng = random.Random(SEED)
with open(os.path.join(DIR, "people.json")) as _handle:
    data = json.load(_handle)
people = data["people"]
person_by_email = {p["email"]: p for p in people}
sequence_ids = tuple(data["sequence_ids"].values())
events = []  # (time, what) of the run, printed at the end
loads = []  # the machine's 1-minute load average, every 10 s of the run
RUN_START = float(os.environ.get("RH_START") or time.time())  # bin/rehearsal's start
stop_all = threading.Event()


def note(what):
    events.append((time.time(), what))
    print(f"  [{time.strftime('%H:%M:%S')}] {what}", flush=True)


# --- The database, read by the driver (retried across the PostgreSQL restart) --------
def query(sql, args=(), attempts=60):
    for attempt in range(attempts):
        try:
            connection = psycopg2.connect(host=PG_DIR, port=PG_PORT, user="odoo", dbname=DB)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, args)
                    return cursor.fetchall()
            finally:
                connection.close()
        except psycopg2.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def scalar(sql, args=()):
    return query(sql, args)[0][0]


ENROLLMENTS = "SELECT id FROM followup_enrollment WHERE sequence_id IN %s"
# A decision's delivery as followup.delivery._followup_facts reads it (d: the decision):
# the add-on's reading of a bounce, else Odoo's notification, else what it said when it
# was deleted.
DELIVERY_JOINS = (
    "LEFT JOIN mail_notification n ON n.id = d.notification_id "
    "LEFT JOIN mail_mail nm ON nm.id = n.mail_mail_id "
    "LEFT JOIN followup_delivery fd ON fd.dispatch_id = d.id"
)
DELIVERY_STATE = (
    "(CASE WHEN fd.bounce_what IS NOT NULL THEN 'bounced' "
    "WHEN n.id IS NOT NULL THEN (CASE n.notification_status "
    "WHEN 'sent' THEN 'sent' WHEN 'pending' THEN 'sent' WHEN 'exception' THEN 'failed' "
    "WHEN 'canceled' THEN 'failed' WHEN 'bounce' THEN 'bounced' END) "
    "ELSE fd.kept_state END)"
)
DELIVERY_FAILURE = (
    "(CASE WHEN fd.bounce_what = 'sender' THEN 'mail_spam' "
    "WHEN fd.bounce_what IS NOT NULL THEN 'mail_bounce' "
    "WHEN n.id IS NOT NULL THEN COALESCE(n.failure_type, nm.failure_type) "
    "ELSE fd.kept_failure_type END)"
)


def dispatched():
    return scalar(
        f"SELECT count(DISTINCT enrollment_id) FROM followup_dispatch "
        f"WHERE state != 'deferred' AND enrollment_id IN ({ENROLLMENTS})",
        (sequence_ids,),
    )


def due():
    return scalar(
        "SELECT count(*) FROM followup_enrollment WHERE sequence_id IN %s "
        "AND state = 'active' AND next_date <= now() at time zone 'UTC'",
        (sequence_ids,),
    )


def outgoing(mass=False):
    return scalar(
        "SELECT count(*) FROM mail_mail WHERE state = 'outgoing' AND mailing_id IS "
        + ("NOT NULL" if mass else "NULL")
    )


# --- Processes ------------------------------------------------------------------------
def start(name, command):
    with open(os.path.join(DIR, f"{name}.log"), "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    with open(os.path.join(DIR, f"{name}.pid"), "w") as handle:
        handle.write(str(process.pid))
    return process


def stop(name, process, sig=signal.SIGTERM, wait=30):
    try:
        os.killpg(process.pid, sig)
        process.wait(wait)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    try:
        os.unlink(os.path.join(DIR, f"{name}.pid"))
    except FileNotFoundError:
        pass


def wait_port(port, timeout=120):
    import socket

    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.3)
    return False


class Smtp:
    def __init__(self):
        self.process = None
        self.downs = []

    def start(self):
        command = [
            sys.executable,
            os.path.join(HERE, "smtp_sink.py"),
            str(SMTP_PORT),
            SMTP_DIR,
            str(DEFER_RATE),
            str(REFUSE_RATE),
            str(SEED),
        ]
        self.process = start("smtp", command)
        if not wait_port(SMTP_PORT, 30):
            raise SystemExit("The SMTP server did not start.")

    def stop(self):
        stop("smtp", self.process)


smtp = Smtp()


def children(pid):
    result = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    result.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return result


def cron_workers(master):
    """The cron workers' pids: the children of the master whose connection listens on
    the ``postgres`` database (Odoo names each connection ``odoo-<pid>``); the gevent
    process listens there too and is told apart by its command (``odoo-bin gevent``)."""
    listening = {
        int(name[5:])
        for (name,) in query(
            "SELECT application_name FROM pg_stat_activity WHERE datname = 'postgres' "
            "AND application_name LIKE 'odoo-%%' AND query IN ('LISTEN cron_trigger', 'COMMIT')"
        )
        if name[5:].isdigit()
    }
    result = []
    for pid in children(master):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except FileNotFoundError:
            continue
        if pid in listening and b"gevent" not in cmdline.split(b"\0")[:3]:
            result.append(pid)
    return result


def dispatching_worker(master):
    """The cron worker running the dispatch job, or None: the one whose connection
    holds the lock on the job's ``ir_cron`` row (Odoo's cron runner locks it for the
    whole run of the job, ``_acquire_one_job``), read with PostgreSQL's pgrowlocks. With
    several cron workers, the others send the mail queue. (The job's own work goes
    through connections that Odoo's prefork server opened in the master, named after
    it: only the runner's connection names the worker.)"""
    workers = cron_workers(master)
    if not workers:
        return None
    holders = {
        name
        for (name,) in query(
            "SELECT a.application_name FROM pgrowlocks('ir_cron') r "
            "JOIN pg_stat_activity a ON a.pid = ANY(r.pids) "
            "WHERE r.locked_row = (SELECT ctid FROM ir_cron WHERE id = %s)",
            (data["dispatch_cron_id"],),
        )
    }
    for pid in workers:
        if f"odoo-{pid}" in holders:
            return pid
    return None


# --- The cron workers' niceness ----------------------------------------------------
# Odoo starts each cron worker at nice 10 (``os.nice(10)`` in its WorkerCron), so that
# on the server's own cores the HTTP workers go first. On a machine shared with other
# work at nice 0 (here: other people's test suites), nice 10 leaves a cron worker about
# a tenth of the share of each of them, which no dedicated server has: the rehearsal
# then measures its neighbours, not Odoo. Unless RH_CRON_NICE is "odoo", every cron
# worker (the ones started again after a kill -9 or a PostgreSQL restart too) is set to
# the master's niceness plus RH_CRON_NICE (default 0: the HTTP workers' own).
CRON_NICE = os.environ.get("RH_CRON_NICE", "0")
reniced = {"workers": set(), "refused": None}


def sample_load(stopped):
    while not stopped.is_set():
        loads.append(os.getloadavg()[0])
        stopped.wait(10)


def keep_cron_niceness(master, stopped):
    if CRON_NICE == "odoo":
        return
    base = os.getpriority(os.PRIO_PROCESS, master)
    target = base + int(CRON_NICE)
    while not stopped.is_set():
        for pid in children(master):
            if pid in reniced["workers"]:
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    if b"gevent" in handle.read().split(b"\0")[:3]:
                        continue
                if os.getpriority(os.PRIO_PROCESS, pid) == base + 10:
                    os.setpriority(os.PRIO_PROCESS, pid, target)
                    reniced["workers"].add(pid)
            except (FileNotFoundError, ProcessLookupError):
                pass
            except PermissionError as error:
                if reniced["refused"] is None:
                    reniced["refused"] = str(error)
                    note(f"cron workers left at nice 10 (not allowed to renice: {error})")
                return
        stopped.wait(0.5)


def cron_in_batch(pid):
    """Has the cron worker an open transaction on the rehearsal database?"""
    return scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s "
        "AND state IN ('active', 'idle in transaction')",
        (DB, f"odoo-{pid}"),
    )


# --- The load on the public pages ------------------------------------------------------
class Form(HTMLParser):
    """The values a browser posts from the page's first form."""

    def __init__(self):
        super().__init__()
        self.values, self.select, self.in_form = {}, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form += 1
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[attrs["name"]] = attrs.get("value", "on")
            else:
                self.values.setdefault(attrs["name"], attrs.get("value", ""))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


samples = []  # (kind, latency s, ok, end time)
answered = {}  # e-mail -> moment the first one-click unsubscribe was answered


def request(session, kind, method, url, **kwargs):
    start_time = time.time()
    try:
        response = session.request(method, url, timeout=60, allow_redirects=False, **kwargs)
        ok = response.status_code < 400
    except requests.RequestException:
        response, ok = None, False
    end = time.time()
    samples.append((kind, end - start_time, ok, end))
    return response if ok else None


def load_plan():
    plan = []
    for person in people:
        if person.get("role") == "unsubscribe":
            url = f"{BASE}/followup/unsubscribe/{person['id']}/{person['unsubscribe_token']}"
            if rng.random() < 0.3:
                plan.append(("unsubscribe page read", person, url))
            plan.append(("one-click unsubscribe", person, url))
            if rng.random() < 0.1:  # the mail program retries
                plan.append(("one-click unsubscribe", person, url))
        elif person.get("role") == "preferences":
            url = f"{BASE}/followup/preferences/{person['id']}/{person['preferences_token']}"
            plan.append(("preference page read", person, url))
            if rng.random() < 0.5:
                plan.append(("preferences saved", person, url))
    rng.shuffle(plan)
    return plan[:LOAD_REQUESTS]


def load(plan, lock):
    session = requests.Session()
    while not stop_all.is_set():
        with lock:
            if not plan:
                return
            kind, person, url = plan.pop()
        if kind == "one-click unsubscribe":
            response = request(
                session,
                kind,
                "POST",
                url,
                data={"List-Unsubscribe": "One-Click"},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            if response is not None:
                answered.setdefault(person["email"], time.time())
        elif kind == "preferences saved":
            page = request(session, "preference page read", "GET", url)
            if page is not None:
                form = Form()
                form.feed(page.text)
                request(session, kind, "POST", url, data=form.values)
        else:
            request(session, kind, "GET", url)
        time.sleep(rng.uniform(0, 0.3 if SMALL else 0.1))


# --- The gateway: replies and bounces ------------------------------------------------
gateway = {"reply": 0, "bounce": 0, "errors": 0, "latency": [], "bounced": set()}


def accepted_answers():
    try:
        with open(os.path.join(SMTP_DIR, "answers.jsonl")) as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def raw_reply(answer):
    to = answer["rcpt"][0]
    return (
        f"From: {to}\r\nTo: catchall@rehearsal.test\r\n"
        f"Subject: Re: {answer['subject']}\r\n"
        f"Message-ID: <{uuid.uuid4()}@reply.rehearsal.test>\r\n"
        f"In-Reply-To: {answer['message_id']}\r\nReferences: {answer['message_id']}\r\n"
        f"Date: {email.utils.formatdate()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Thank you, I will think about it.\r\n"
    ).encode()


def raw_bounce(answer):
    to = answer["rcpt"][0]
    boundary = uuid.uuid4().hex
    return (
        "From: MAILER-DAEMON@mx.rehearsal.test\r\nTo: bounce@rehearsal.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{uuid.uuid4()}@mx.rehearsal.test>\r\nDate: {email.utils.formatdate()}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
        f"Your message to <{to}> could not be delivered: the mailbox does not exist.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.rehearsal.test\r\n\r\n"
        f"Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {answer['message_id']}\r\nTo: {to}\r\nSubject: {answer['subject']}\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def feed_gateway():
    models = xmlrpc.client.ServerProxy(f"{BASE}/xmlrpc/2/object", allow_none=True)
    common = xmlrpc.client.ServerProxy(f"{BASE}/xmlrpc/2/common", allow_none=True)
    uid = common.authenticate(DB, "admin", "admin", {})
    done = set()
    while not stop_all.is_set() and (
        gateway["reply"] < GATEWAY_EACH or gateway["bounce"] < GATEWAY_EACH
    ):
        for answer in accepted_answers():
            if answer["answer"] != "accepted" or not answer["followup"]:
                continue
            if answer["message_id"] in done or answer["rcpt"][0] in answered:
                continue
            done.add(answer["message_id"])
            kind = rng.choice(["reply", "bounce", None, None, None, None])
            if kind is None or gateway[kind] >= GATEWAY_EACH:
                continue
            raw = raw_reply(answer) if kind == "reply" else raw_bounce(answer)
            for _attempt in range(10):
                start_time = time.time()
                try:
                    models.execute_kw(
                        DB,
                        uid,
                        "admin",
                        "mail.thread",
                        "message_process",
                        [False, xmlrpc.client.Binary(raw)],
                        {},
                    )
                except (xmlrpc.client.Error, OSError):
                    time.sleep(2)  # e.g. PostgreSQL restarting: the gateway retries
                    continue
                gateway["latency"].append(time.time() - start_time)
                gateway[kind] += 1
                if kind == "bounce":
                    gateway["bounced"].add(answer["rcpt"][0])
                break
            else:
                gateway["errors"] += 1
        time.sleep(2)


# --- Faults --------------------------------------------------------------------------
faults = {}


def fault_cron_and_postgres(master, total):
    """kill -9 of the cron worker while it holds a batch open, then a PostgreSQL
    restart, each at a random share of the steps dispatched."""
    connection = psycopg2.connect(host=PG_DIR, port=PG_PORT, user="odoo", dbname=DB)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")  # see dispatching_worker
    connection.close()
    kill_at, restart_at = sorted([rng.uniform(0.1, 0.4), rng.uniform(0.45, 0.8)])
    while not stop_all.is_set():
        progress = dispatched() / total
        if "kill" not in faults and progress >= kill_at:
            pid = dispatching_worker(master)
            if pid and cron_in_batch(pid):
                os.kill(pid, signal.SIGKILL)
                faults["kill"] = (time.time(), progress)
                note(
                    f"fault: kill -9 of the cron worker {pid} in a dispatch batch, "
                    f"{progress:.0%} dispatched"
                )
        if "kill" in faults and "postgres" not in faults and progress >= restart_at:
            note(f"fault: PostgreSQL restart, {progress:.0%} dispatched")
            start_time = time.time()
            command = [
                f"{PG_BINDIR}/pg_ctl",
                "-D",
                f"{PG_DIR}/data",
                "-l",
                f"{PG_DIR}/server.log",
                "-w",
                "-m",
                "fast",
                "restart",
                "-o",
                (
                    f"-k {PG_DIR} -p {PG_PORT} -c listen_addresses='' -c fsync=off "
                    "-c max_connections=60"
                ),
            ]
            if PG_OWNER:
                command = ["runuser", "-u", PG_OWNER, "--"] + command
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            faults["postgres"] = (start_time, time.time(), progress)
            note(f"PostgreSQL back after {time.time() - start_time:.1f} s")
            return
        if not due():  # (enrollments stopped before their turn are never dispatched)
            note("nothing due any more: the faults left are not made")
            return
        time.sleep(0.2)


def fault_smtp():
    """The SMTP server stopped for SMTP_DOWN seconds at a random moment once the mail
    queue has started sending follow-ups, then started again."""
    wait = rng.uniform(0, 5 if SMALL else 20)
    while not stop_all.is_set():
        if any(a["followup"] for a in accepted_answers()):
            break
        time.sleep(0.5)
    time.sleep(wait)
    if stop_all.is_set():
        return
    note(f"fault: SMTP server stopped for {SMTP_DOWN} s")
    start_time = time.time()
    smtp.stop()
    time.sleep(SMTP_DOWN)
    smtp.start()
    faults["smtp"] = (start_time, time.time())
    note("SMTP server started again")


# --- The run -----------------------------------------------------------------------------
def percentile(values, share):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main():
    os.makedirs(SMTP_DIR, exist_ok=True)
    total = len(people)
    note(
        f"{total} due steps; SMTP on {SMTP_PORT} "
        f"(defers {DEFER_RATE:.0%}, refuses {REFUSE_RATE:.0%})"
    )
    smtp.start()
    odoo = start("odoo-server", ODOO_CMD)
    started = time.time()
    odoo_stopped = threading.Event()
    threading.Thread(target=keep_cron_niceness, args=(odoo.pid, odoo_stopped), daemon=True).start()
    threading.Thread(target=sample_load, args=(odoo_stopped,), daemon=True).start()
    while True:
        try:
            if requests.get(f"{BASE}/web/login", timeout=10).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.time() - started > 180 or odoo.poll() is not None:
            stop("odoo-server", odoo)
            smtp.stop()
            raise SystemExit("Odoo did not start (see odoo.log).")
        time.sleep(1)
    note(
        f"Odoo serves (prefork: 2 HTTP workers, {CRON_WORKERS} cron worker(s) at "
        + ("nice 10, Odoo's" if CRON_NICE == "odoo" else f"nice {CRON_NICE}")
        + "); load average "
        + " ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    # The cron worker sleeps a minute after it starts: wake it as a trigger would.
    connection = psycopg2.connect(host=PG_DIR, port=PG_PORT, user="odoo", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify('cron_trigger', %s)", (DB,))
    connection.close()

    plan, lock = load_plan(), threading.Lock()
    threads = [
        threading.Thread(target=load, args=(plan, lock), daemon=True) for _ in range(LOAD_THREADS)
    ]
    threads.append(threading.Thread(target=feed_gateway, daemon=True))
    threads.append(
        threading.Thread(target=fault_cron_and_postgres, args=(odoo.pid, total), daemon=True)
    )
    threads.append(threading.Thread(target=fault_smtp, daemon=True))
    for thread in threads:
        thread.start()

    # The follow-ups' phase ends when nothing is due nor queued and the load, the
    # gateway and the faults are over.
    while time.time() - started < DEADLINE:
        time.sleep(2)
        if any(thread.is_alive() for thread in threads):
            continue
        if not due() and not outgoing():
            break
    followups_end = time.time()
    phase_ok = not due() and not outgoing()
    note("follow-ups' phase over" + ("" if phase_ok else " (deadline reached)"))
    stop_all.set()

    # Odoo's mass mailing of as many e-mails, to the same server, same run.
    models = xmlrpc.client.ServerProxy(f"{BASE}/xmlrpc/2/object", allow_none=True)
    uid = xmlrpc.client.ServerProxy(f"{BASE}/xmlrpc/2/common").authenticate(
        DB, "admin", "admin", {}
    )
    mass_start = time.time()
    try:
        models.execute_kw(
            DB, uid, "admin", "mailing.mailing", "action_launch", [[data["mailing_id"]]]
        )
    except xmlrpc.client.Fault as fault:
        if "cannot marshal None" not in fault.faultString:  # launched; returns nothing
            raise
    note(f"mass mailing of {data['mass_emails']} e-mails launched")
    while time.time() - mass_start < MASS_DEADLINE:
        time.sleep(2)
        state = scalar("SELECT state FROM mailing_mailing WHERE id = %s", (data["mailing_id"],))
        if state == "done" and not outgoing(mass=True):
            break
    note("mass mailing over")
    odoo_stopped.set()
    stop("odoo-server", odoo)
    smtp.stop()
    report(total, started, followups_end, mass_start, phase_ok, time.time())


def report(total, started, followups_end, mass_start, phase_ok, mass_end):
    answers = accepted_answers()
    accepted = [a for a in answers if a["answer"] == "accepted"]
    fu_accepted = [a for a in accepted if a["followup"]]
    mass_accepted = [a for a in accepted if a["subject"] == "Rehearsal newsletter"]
    must = []  # (holds, sentence)

    # Each step once, from the database.
    rows = query(
        "SELECT e.id, e.state, e.next_date > now() at time zone 'UTC', "
        "count(d.id) FILTER (WHERE d.state != 'deferred'), "
        "count(d.id) FILTER (WHERE d.state = 'done') "
        "FROM followup_enrollment e LEFT JOIN followup_dispatch d ON d.enrollment_id = e.id "
        "WHERE e.sequence_id IN %s GROUP BY e.id, e.state, e.next_date",
        (sequence_ids,),
    )
    twice = sum(1 for r in rows if r[3] > 1)
    waiting = sum(1 for r in rows if r[3] == 0 and r[1] == "active" and r[2])
    # Still due when the phase ended (its deadline reached): not lost, not done either;
    # the last "must hold" says so.
    still_due = sum(1 for r in rows if r[3] == 0 and r[1] == "active" and not r[2])
    # An enrollment stopped before its turn (the person withdrew, replied...) has no
    # step to perform: the stop is its outcome.
    stopped = sum(1 for r in rows if r[3] == 0 and r[1] == "stopped")
    lost = sum(1 for r in rows if r[3] == 0 and r[1] not in ("stopped", "active"))
    outcomes = dict(
        query(
            f"SELECT state || coalesce(' / ' || reason, ''), count(*) FROM followup_dispatch "
            f"WHERE enrollment_id IN ({ENROLLMENTS}) GROUP BY 1 ORDER BY 2 DESC",
            (sequence_ids,),
        )
    )
    ids_by_kind = {
        k: [p["id"] for p in people if p["kind"] == k] for k in ("email", "sms", "activity")
    }
    activity_dups = scalar(
        "SELECT count(*) FROM (SELECT res_id FROM mail_activity WHERE res_model = 'res.partner' "
        "AND res_id = ANY(%s) GROUP BY res_id HAVING count(*) > 1) t",
        (ids_by_kind["activity"],),
    )
    activities = scalar(
        "SELECT count(*) FROM mail_activity WHERE res_model = 'res.partner' AND res_id = ANY(%s)",
        (ids_by_kind["activity"],),
    )
    sms_dups = scalar(
        "SELECT count(*) FROM (SELECT partner_id FROM sms_sms WHERE partner_id = ANY(%s) "
        "GROUP BY partner_id HAVING count(*) > 1) t",
        (ids_by_kind["sms"],),
    )
    sms_count = scalar(
        "SELECT count(*) FROM sms_sms WHERE partner_id = ANY(%s)", (ids_by_kind["sms"],)
    )
    # The follow-up messages: the ones the dispatch rows name, per person.
    message_dups = scalar(
        "SELECT count(*) FROM (SELECT m.res_id FROM mail_message m "
        "JOIN mail_message_res_partner_rel r ON r.mail_message_id = m.id "
        "WHERE m.model = 'res.partner' AND m.res_id = ANY(%s) AND m.message_type IN "
        "('comment', 'email_outgoing', 'sms') AND m.author_id != m.res_id "
        "GROUP BY m.res_id HAVING count(*) > 1) t",
        (ids_by_kind["email"] + ids_by_kind["sms"],),
    )
    done_by_kind = dict(
        query(
            f"SELECT s.action, count(*) FROM followup_dispatch d "
            f"JOIN followup_step s ON s.id = d.step_id "
            f"WHERE d.state = 'done' AND d.enrollment_id IN ({ENROLLMENTS}) GROUP BY 1",
            (sequence_ids,),
        )
    )
    must.append((twice == 0, f"no step decided twice ({twice})"))
    must.append(
        (
            lost == 0,
            (
                f"no step lost ({lost}; {waiting} deferred to a later moment, {still_due} still "
                f"due, {stopped} "
                "enrollments stopped before their turn)"
            ),
        )
    )
    must.append(
        (
            activity_dups == 0 and activities == done_by_kind.get("activity", 0),
            (
                f"one activity per done activity step ({activities} for "
                f"{done_by_kind.get('activity', 0)}, {activity_dups} people with two)"
            ),
        )
    )
    must.append(
        (
            sms_dups == 0 and sms_count == done_by_kind.get("sms", 0),
            (
                f"one SMS per done SMS step ({sms_count} for {done_by_kind.get('sms', 0)}, "
                f"{sms_dups} people with two)"
            ),
        )
    )
    must.append((message_dups == 0, f"no person with two follow-up messages ({message_dups})"))

    # Each e-mail once, from the SMTP server's files.
    per_rcpt = {}
    for answer in fu_accepted:
        per_rcpt[answer["rcpt"][0]] = per_rcpt.get(answer["rcpt"][0], 0) + 1
    smtp_dups = sum(1 for count in per_rcpt.values() if count > 1)
    accepted_ids = {a["message_id"] for a in fu_accepted}
    email_rows = query(
        f"SELECT d.id, m.message_id, mm.state, {DELIVERY_STATE}, {DELIVERY_FAILURE} "
        f"FROM followup_dispatch d "
        f"JOIN followup_step s ON s.id = d.step_id "
        f"LEFT JOIN mail_message m ON m.id = d.message_id "
        f"LEFT JOIN mail_mail mm ON mm.mail_message_id = m.id "
        f"{DELIVERY_JOINS} "
        f"WHERE d.state = 'done' AND s.action = 'email' AND d.enrollment_id IN ({ENROLLMENTS})",
        (sequence_ids,),
    )
    delivered = sum(1 for r in email_rows if r[1] in accepted_ids)
    failed = [
        r
        for r in email_rows
        if r[1] not in accepted_ids
        and (r[2] in ("exception", "cancel") or r[3] not in (None, "sent"))
    ]
    why_not = {}
    for row in failed:
        why_not[row[4] or "unknown"] = why_not.get(row[4] or "unknown", 0) + 1
    still_queued = sum(1 for r in email_rows if r[1] not in accepted_ids and r[2] == "outgoing")
    email_lost = len(email_rows) - delivered - len(failed) - still_queued
    smtp_refusals = {}
    for answer in answers:
        if answer["followup"] and answer["answer"] != "accepted":
            smtp_refusals[answer["answer"]] = smtp_refusals.get(answer["answer"], 0) + 1
    must.append((smtp_dups == 0, f"no person received the follow-up e-mail twice ({smtp_dups})"))
    must.append(
        (
            email_lost == 0,
            (
                f"every done e-mail step accepted by the SMTP server or "
                f"known as not delivered ({email_lost} neither)"
            ),
        )
    )

    # Opt-outs honoured at once, and recorded once.
    late = [a for a in fu_accepted if a["rcpt"][0] in answered and a["t"] > answered[a["rcpt"][0]]]
    history = dict(
        query(
            "SELECT p.email, count(*) FROM followup_consent_event e "
            "JOIN res_partner p ON p.id = e.partner_id "
            "WHERE e.source = 'one_click_unsubscribe' AND e.channel = 'email' "
            "AND e.state = 'withdrawn' "
            "GROUP BY p.email"
        )
    )
    not_once = [address for address in answered if history.get(address) != 1]
    must.append(
        (
            not late,
            (
                f"no follow-up e-mail accepted after its person's unsubscribe was answered "
                f"({len(late)} of {len(answered)} people)"
            ),
        )
    )
    must.append(
        (
            not not_once,
            (
                f"every answered opt-out in the consent history once "
                f"({len(answered) - len(not_once)} of {len(answered)})"
            ),
        )
    )
    bounced_known = scalar(
        f"SELECT count(DISTINCT p.email) FROM followup_dispatch d "
        f"JOIN res_partner p ON p.id = d.partner_id {DELIVERY_JOINS} "
        f"WHERE {DELIVERY_STATE} = 'bounced' AND p.email = ANY(%s)",
        (list(gateway["bounced"]),),
    )
    must.append(
        (
            bounced_known == len(gateway["bounced"]) and not gateway["errors"],
            (
                f"every bounce fed to the gateway known on its step ({bounced_known} of "
                f"{len(gateway['bounced'])}; {gateway['errors']} gateway calls failed)"
            ),
        )
    )
    must.append((phase_ok, "nothing left due or queued at the end of the follow-ups' phase"))
    made = [name for name in ("kill", "smtp", "postgres") if name in faults]
    must.append(
        (
            len(made) == 3,
            (
                "the three faults made (kill -9 of the cron worker in a dispatch batch, SMTP "
                f"outage, PostgreSQL restart: {', '.join(made) or 'none'})"
            ),
        )
    )

    # Figures.
    lines = [
        "",
        "=== Production rehearsal ===",
        (
            f"steps due: {total}, {CRON_WORKERS} cron worker(s) "
            f"(e-mail {len(ids_by_kind['email'])}, "
            f"SMS {len(ids_by_kind['sms'])}, activity {len(ids_by_kind['activity'])}); seed {SEED}"
        ),
        "decisions: " + ", ".join(f"{k}: {v}" for k, v in outcomes.items()),
        (
            f"follow-up e-mails: {delivered} accepted by the SMTP server, {len(failed)} not "
            f"delivered {why_not or ''} (SMTP answers to follow-ups: "
            f"{smtp_refusals or 'none refused'}), "
            f"{still_queued} still queued"
        ),
        "faults:",
    ]
    for when, what in events:
        if what.startswith("fault") or "back" in what or "again" in what:
            lines.append(f"  +{when - events[0][0]:6.1f} s  {what}")
    lines.append("public pages under load (seconds):")
    lines.append(
        f"  {'page':28} {'requests':>8} {'errors':>6} {'median':>7} {'p95':>7} {'p99':>7}"
    )
    pg = faults.get("postgres")
    for kind in sorted({s[0] for s in samples}):
        mine = [s for s in samples if s[0] == kind]
        latencies = [s[1] for s in mine if s[2]]
        errors = sum(1 for s in mine if not s[2])
        lines.append(
            f"  {kind:28} {len(mine):8} {errors:6} {percentile(latencies, 0.5):7.3f} "
            f"{percentile(latencies, 0.95):7.3f} {percentile(latencies, 0.99):7.3f}"
        )
    outside = [s for s in samples if not s[2] and not (pg and pg[0] - 1 <= s[3] <= pg[1] + 15)]
    lines.append(f"  errors outside the PostgreSQL restart (+15 s): {len(outside)}")
    must.append(
        (not outside, f"no public page error outside the PostgreSQL restart ({len(outside)})")
    )
    lines.append(
        f"gateway: {gateway['reply']} replies, {gateway['bounce']} bounces, median "
        f"{percentile(gateway['latency'], 0.5):.3f} s"
    )
    times = query(
        f"SELECT extract(epoch FROM min(create_date)), "
        f"extract(epoch FROM max(create_date)), count(*) "
        f"FROM followup_dispatch WHERE state != 'deferred' AND enrollment_id IN ({ENROLLMENTS})",
        (sequence_ids,),
    )[0]
    if times[2]:
        span = max(float(times[1]) - float(times[0]), 1)
        lines.append(
            f"dispatch: {times[2]} steps in {span:.0f} s = {times[2] / span:.1f} steps/s "
            f"(first to last decision, faults included)"
        )
    if fu_accepted:
        span = max(fu_accepted[-1]["t"] - fu_accepted[0]["t"], 1)
        lines.append(
            f"follow-up e-mails: {len(fu_accepted)} in {span:.0f} s = "
            f"{len(fu_accepted) / span:.1f} delivered/s (first to last acceptance, faults "
            f"included; {len(fu_accepted) / max(followups_end - started, 1):.1f}/s from start)"
        )
    if mass_accepted:
        span = max(mass_accepted[-1]["t"] - mass_start, 1)
        lines.append(
            f"mass mailing: {len(mass_accepted)} of {data['mass_emails']} in {span:.0f} s = "
            f"{len(mass_accepted) / span:.1f} delivered/s (launch to last acceptance, "
            f"no fault; same SMTP server, same defer/refuse rates)"
        )
    lines.append(
        f"run: {(time.time() - RUN_START) / 60:.1f} min from bin/rehearsal's start (set-up "
        f"{started - RUN_START:.0f} s, follow-ups' phase {followups_end - started:.0f} s, "
        f"mass mailing {mass_end - mass_start:.0f} s); cron workers at "
        + (
            "nice 10 (Odoo's)"
            if CRON_NICE == "odoo" or reniced["refused"]
            else f"nice {CRON_NICE} ({len(reniced['workers'])} reniced from Odoo's 10)"
        )
    )
    if loads:
        ordered = sorted(loads)
        lines.append(
            f"machine load average (1 min) during the run: min {ordered[0]:.1f}, median "
            f"{percentile(ordered, 0.5):.1f}, max {ordered[-1]:.1f} ({os.cpu_count()} cores)"
        )
    lines.append("must hold:")
    for holds, sentence in must:
        lines.append(f"  [{'ok' if holds else 'FAILED'}] {sentence}")
    if late:
        lines.append("  late e-mails (recipient, accepted after the answer by):")
        for answer in late[:10]:
            lines.append(
                f"    {answer['rcpt'][0]} +{answer['t'] - answered[answer['rcpt'][0]]:.2f} s"
            )
    text = "\n".join(lines)
    print(text, flush=True)
    with open(os.path.join(DIR, "report.txt"), "w") as handle:
        handle.write(text + "\n")
    sys.exit(0 if all(holds for holds, _ in must) else 1)


if __name__ == "__main__":
    main()
