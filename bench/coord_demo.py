"""Shared by the coordination benchmarks: `kizuna demo-federation` (two real
hubs on loopback with the seeded cross-border incident) started in a scratch
directory for the duration of a `with` block, and the demo accounts' Basic
credentials."""
import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile


@contextlib.contextmanager
def federation(binary):
    """Yields {"us": credentials, "jp": credentials} (each hub's demo-credentials.json)."""
    data = tempfile.mkdtemp(prefix="kizuna-coord-bench-")
    demo = subprocess.Popen([binary, "demo-federation", "--data-dir", data, "--base-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in demo.stdout:
            if "federation demo ready" in line:
                break
        yield {h: json.load(open(os.path.join(data, h, "demo-credentials.json"))) for h in ("us", "jp")}
    finally:
        demo.terminate()
        demo.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


def basic_auth(creds, user):
    """The Authorization header of a demo account of one hub's credentials."""
    pw = next(a["password"] for a in creds["accounts"] if a["username"] == user)
    return "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
