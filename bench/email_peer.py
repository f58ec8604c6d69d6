"""Email ingestion beside a peer: django-helpdesk's `get_email` reading the same folder of .eml files.

django-helpdesk gets a virtual environment of its own (created on first use under var/bench/)
so its Django never meets Switchboard's packages.
"""

from __future__ import annotations

import os
import re
import shutil
import smtplib
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import create_engine, func, select

from services.email.tables import quarantine
from services.inbox.tables import messages

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "email"
HELPDESK_REQUIREMENT = "django-helpdesk>=2.6,<2.7"
INBOX_ADDRESS = "support@switchboard.local"
# Connections delivering at once, as an MTA does (Postfix allows 20 per destination by default).
SMTP_SENDERS = 16
_LINE_END = re.compile(rb"\r\n|\r|\n")

SETTINGS = """
SECRET_KEY = "switchboard-bench"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
                  "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk"]
SITE_ID = 1
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_TZ = True
ROOT_URLCONF = "urls"
MEDIA_ROOT = "media"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
"""
URLS = """
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""
MAKE_QUEUE = """
import django, sys
django.setup()
from helpdesk.models import Queue
Queue.objects.create(title="Support", slug="support", email_address="support@switchboard.local",
                     allow_email_submission=True, email_box_type="local", email_box_local_dir=sys.argv[1])
"""
COUNT_TICKETS = """
import django
django.setup()
from helpdesk.models import FollowUp
print(FollowUp.objects.count())
"""


def write_mail_folder(folder: Path, count: int) -> list[bytes]:
    """`count` messages cycled from the test corpus, each with a Message-ID of its own; also returned raw."""
    sources = sorted(p for p in CORPUS.glob("*.eml") if _is_customer_mail(p))
    folder.mkdir(parents=True, exist_ok=True)
    raws = []
    for n in range(count):
        message = BytesParser(policy=policy.compat32).parsebytes(sources[n % len(sources)].read_bytes())
        del message["Message-ID"]
        message["Message-ID"] = f"<bench-{n}@customers.example>"
        raw = message.as_bytes()
        (folder / f"{n:06d}.eml").write_bytes(raw)
        raws.append(raw)
    return raws


def _is_customer_mail(path: Path) -> bool:
    """Mail both systems take as a customer's: a sender, no auto-reply or bounce markers, and bytes that
    django-helpdesk can read (its get_email reads each file as UTF-8 and gives up the whole folder
    at the first raw 8-bit Latin-1 message, which Switchboard takes)."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    message = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    automatic = any(message.get(h) for h in ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence"))
    return bool(message.get("From")) and "@" in str(message.get("From")) and not automatic


def helpdesk(work: Path, folder: Path) -> dict:
    """Emails per second django-helpdesk's get_email takes from `folder` into tickets."""
    venv = ROOT / "var" / "bench" / "helpdesk-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", HELPDESK_REQUIREMENT], check=True)
    project = work / "helpdesk-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    (project / "settings.py").write_text(SETTINGS)
    (project / "urls.py").write_text(URLS)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(project)}
    django_admin = [str(venv / "bin" / "django-admin")]

    def run(*args: str, script: str | None = None) -> str:
        command = [str(python), "-c", script, *args] if script else [*django_admin, *args]
        return subprocess.run(command, cwd=project, env=env, check=True, capture_output=True, text=True).stdout

    run("migrate", "--skip-checks", "-v0")
    run(str(folder), script=MAKE_QUEUE)
    count = len(list(folder.glob("*.eml")))
    started = time.perf_counter()
    run("get_email", "--skip-checks")
    elapsed = time.perf_counter() - started
    taken = int(run(script=COUNT_TICKETS).strip())
    if taken < count:
        raise RuntimeError(f"django-helpdesk took {taken} of {count} emails; the comparison needs them all")
    return {"emails": count, "taken": taken, "seconds": round(elapsed, 2), "per_s": round(taken / elapsed, 1)}


def switchboard(running, env: dict, raws: list[bytes], senders: int = SMTP_SENDERS) -> dict:
    """Emails per second Switchboard takes over SMTP until every one is parsed, stored and threaded (or set aside).

    Mail goes out as an MTA delivers it: over `senders` connections at once, each sending one mail after
    another, with CRLF line ends on the wire.
    """
    store = create_engine(env["SWITCHBOARD_DATABASE_URL"])
    before = _stored_emails(store)
    refused: Counter = Counter()
    wire = [on_the_wire(raw) for raw in raws]
    started = time.perf_counter()

    def send(share: list[bytes]) -> int:
        """Send on one connection; count what the server accepted, and what it refused by reply code."""
        accepted = 0
        with smtplib.SMTP("127.0.0.1", running.ports["smtp"], timeout=60) as client:
            for raw in share:
                try:
                    client.sendmail("customer@customers.example", [INBOX_ADDRESS], raw)
                    accepted += 1
                except smtplib.SMTPResponseException as error:
                    refused[error.smtp_code] += 1
                    client.rset()
        return accepted

    with ThreadPoolExecutor(senders) as pool:
        accepted = sum(f.result() for f in [pool.submit(send, wire[n::senders]) for n in range(senders)])
    sent = time.perf_counter() - started
    deadline = time.monotonic() + max(120, len(raws))
    while (stored := _stored_emails(store) - before) < accepted:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {stored} of {accepted} emails were stored in time")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    store.dispose()
    return {"emails": len(raws), "accepted": accepted, "refused": dict(refused), "senders": senders,
            "accepted_per_s": round(accepted / sent, 1), "seconds": round(elapsed, 2),
            "per_s": round(accepted / elapsed, 1)}


def on_the_wire(raw: bytes) -> bytes:
    """The mail with CRLF line ends, as SMTP carries it.

    smtplib sends bytes unchanged, and a bare-LF message reads as one overlong line (refused with 500).
    """
    return _LINE_END.sub(b"\r\n", raw)


def _stored_emails(store) -> int:
    """Mail taken care of: stored in a conversation, or kept aside for an admin (auto-replies, oddities)."""
    with store.connect() as db:
        stored = db.execute(select(func.count()).select_from(messages).where(
            messages.c.channel == "email", messages.c.direction == "inbound")).scalar()
        return stored + db.execute(select(func.count()).select_from(quarantine)).scalar()
