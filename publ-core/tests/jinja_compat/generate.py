#!/usr/bin/env python3
"""Renders constructs.html with real Jinja2 into expected.html, the golden
file tests/jinja_compat.rs compares publ-rs's rendering against.

Run with a Python that has Jinja2 3.1 and markupsafe (e.g. /work/oracle/v):

    python publ-core/tests/jinja_compat/generate.py

The environment is Flask's, as Publ runs it: autoescaping for .html/.htm/
.xml/.xhtml templates, trim_blocks and lstrip_blocks off, no extensions,
templates loaded by path from this folder.
"""

import os

import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE),
        autoescape=jinja2.select_autoescape(
            ["html", "htm", "xml", "xhtml"], default_for_string=False
        ),
        trim_blocks=False,
        lstrip_blocks=False,
    )
    out = env.get_template("constructs.html").render()
    with open(os.path.join(HERE, "expected.html"), "w", encoding="utf-8", newline="") as f:
        f.write(out)
    print(f"wrote expected.html ({len(out.encode('utf-8'))} bytes) with Jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
