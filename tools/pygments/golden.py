"""Write the golden output of the Pygments parity test.

publ-rs highlights fenced code by running Pygments' own lexer rule tables
(`publ-core/src/markup/highlight/`), and must print exactly what Publ does
with Pygments. `publ-core/tests/pygments_parity.rs` checks that against
the output of real Pygments, stored here because CI has no Python.

Each sample `publ-core/tests/highlight/samples/<alias>.txt` is highlighted
as a fenced block of language `<alias>` is by Publ:

    lexer = get_lexer_by_name(alias, stripall=True)   # or TextLexer()
    pygments.highlight(code, lexer, HtmlFormatter(nowrap=True))

and the result, split at newlines (without the empty piece after the last
one), goes to `publ-core/tests/highlight/expected.json`:

    {"<file name>": {"lang": "<alias>", "lines": ["<html>", ...]}, ...}

Run it from the repository root with the oracle's Python, which has the
Pygments version publ-rs follows (the one `dump_lexers.py` dumped):

    /work/oracle/v/bin/python tools/pygments/golden.py

Rerun it after adding or editing a sample, or after updating Pygments
(together with `dump_lexers.py`), and commit the samples with the JSON.
"""

import json
import os
import sys

import pygments
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

SAMPLES = os.path.join('publ-core', 'tests', 'highlight', 'samples')
EXPECTED = os.path.join('publ-core', 'tests', 'highlight', 'expected.json')


def lexer_for(lang):
    # What Publ does for a fenced block's language.
    try:
        return get_lexer_by_name(lang, stripall=True)
    except ClassNotFound:
        return TextLexer()


def lines_of(html):
    lines = html.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return lines


def main():
    if not os.path.isdir(SAMPLES):
        sys.exit(f'no {SAMPLES}: run this from the repository root')
    expected = {}
    for name in sorted(os.listdir(SAMPLES)):
        if not name.endswith('.txt'):
            continue
        lang = name[:-len('.txt')]
        # Read as written: no newline translation, so `\r` would reach
        # Pygments as it reaches publ-rs.
        with open(os.path.join(SAMPLES, name), encoding='utf-8', newline='') as f:
            code = f.read()
        html = pygments.highlight(code, lexer_for(lang), HtmlFormatter(nowrap=True))
        expected[name] = {'lang': lang, 'lines': lines_of(html)}
    with open(EXPECTED, 'w', encoding='utf-8', newline='\n') as out:
        json.dump(expected, out, ensure_ascii=False, indent=1, sort_keys=True)
        out.write('\n')
    print(f'{EXPECTED}: {len(expected)} samples (Pygments {pygments.__version__})')


main()
