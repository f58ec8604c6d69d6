"""An empty Flask endpoint: what gunicorn and Flask alone answer on this machine (the HTTP ceiling)."""

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping():
    return {"ok": True}
