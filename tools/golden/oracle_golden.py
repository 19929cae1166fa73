#!/usr/bin/env python3
"""Record what Python Publ 0.8.19 (the oracle) answers for a list of URLs on
one of our sample sites, as golden files for the integration tests.

    python3 tools/golden/oracle_golden.py views [--venv /work/oracle/v]

The oracle is installed outside the repo:
    python3 -m venv v && v/bin/pip install 'publ[auth,search]==0.8.19' gunicorn
It runs on a scratch copy of sites/NAME (Publ writes into entry files), and
every response is written to tests/golden/NAME/<slug>.txt as
`STATUS [Location]` on the first line, then the body.
"""

import argparse
import http.client
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]

URLS = {
    "views": [
        "/", "/a/", "/a/b/", "/c/", "/a/?id=13", "/a/?id=12", "/a/?date=2024-02",
        "/a/?date=20240129_w", "/a/?tag=Red", "/c/?tag=nothing",
        "/a/14-Entry-14", "/special", "/mounted", "/a/b/19-Entry-19", "/c/21-Entry-21",
        "/a/16", "/old-sixteen", "/legacy.php", "/c-feed", "/feed", "/a/feed",
        "/a/b", "/a/17-Entry-17", "/a/15-Entry-15", "/a/22-Entry-22", "/a/b/20",
        "/a/?date=2024-13", "/a/?id=9999",
    ],
    "markdown": [
        "/101-Emphasis-rules", "/102-Links-of-all-kinds", "/103-Lists", "/104-Headings",
        "/105-Footnotes", "/106-Code", "/107-Math", "/108-Smart-quotes-it-s-here",
        "/109-Raw-HTML", "/110-Tables", "/111-Emphasis-and-quotes-in-a-title-code-tags",
        "/112-1.-Not-a-list", "/113-Starts-like-a-list-item",
        "/114-Heading-like-link-and-2.-second-mark", "/115-Only-a-more-section", "/116-Known-differences",
        "/opts/120-Options-everywhere-it-s-here", "/opts/121-Simple",
        "/ext/130-Underlined-quoted-unintraword-title",
        "/", "/opts/", "/112", "/130",
    ],
}

APP = """
import os, publ
app = publ.Publ(__name__, {
    'database_config': {'provider': 'sqlite', 'filename': os.path.join(os.getcwd(), 'index.db')},
    'timezone': 'UTC', 'index_enable_watchdog': False,
    %(extra)s
})
"""

# Config beyond the defaults, per site: the same as in sites/NAME/publ.toml.
EXTRA = {
    "markdown": "'layout': {'heading_link_class': 'toc-link', 'footnotes_class': 'fn'},",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slug(url):
    return "".join(c if c.isalnum() else "_" for c in url).lstrip("_") or "root"


def fetch(port, url):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", url, headers={"Host": "localhost"})
    resp = conn.getresponse()
    return resp.status, resp.getheader("Location"), resp.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--venv", default="/work/oracle/v")
    args = parser.parse_args()
    out = ROOT / "tests" / "golden" / args.site
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = pathlib.Path(tmp) / "site"
        shutil.copytree(ROOT / "sites" / args.site, site)
        (site / "app.py").write_text(APP % {"extra": EXTRA.get(args.site, "")})
        port = free_port()
        server = subprocess.Popen(
            [f"{args.venv}/bin/gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "app:app"],
            cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    if fetch(port, "/")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            time.sleep(5)  # let the first index scan finish its fixup passes
            for url in URLS[args.site]:
                status, location, body = fetch(port, url)
                head = f"{status} {location}" if location else f"{status}"
                (out / f"{slug(url)}.txt").write_bytes(head.encode() + b"\n" + body)
                print(head, url)
        finally:
            server.terminate()
            server.wait()
        rewritten = changed_files(ROOT / "sites" / args.site, site)
        for rel in rewritten:
            print(f"warning: the oracle rewrote {rel}; give it fixed headers", file=sys.stderr)
    return 1 if rewritten else 0


def changed_files(source, copy):
    """Files of the site copy that differ from the source (Publ writes
    missing Entry-ID/Date/UUID headers back into entry files)."""
    changed = []
    for path in sorted((source / "content").rglob("*")):
        if path.is_file():
            other = copy / path.relative_to(source)
            if not other.is_file() or other.read_bytes() != path.read_bytes():
                changed.append(str(path.relative_to(source)))
    return changed


if __name__ == "__main__":
    sys.exit(main())
