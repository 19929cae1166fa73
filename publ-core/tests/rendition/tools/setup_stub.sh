#!/bin/sh
# Recreate the Publ stub tree that gen_parity.py imports, then regenerate
# tests/rendition/data/publ_parity_cases.rs. Needs Publ 0.8.19 unpacked at $PUBL_SRC
# (default /tmp/publ-src/publ) and a Python with Pillow ($PY).
#   sh tests/rendition/tools/setup_stub.sh > tests/rendition/data/publ_parity_cases.rs
#   rustfmt --edition 2021 tests/rendition/data/publ_parity_cases.rs
set -eu
PUBL_SRC=${PUBL_SRC:-/tmp/publ-src/publ}
PY=${PY:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
STUB=$(mktemp -d)
mkdir -p "$STUB/publ/image" "$STUB/stubs/werkzeug" "$STUB/stubs/flask"
printf "def url_for(*a, **k): return 'URL'\nclass _App: secret_key = 'x'\ncurrent_app = _App()\n" > "$STUB/stubs/flask/__init__.py"
printf "class URLSafeSerializer:\n    def __init__(self, *a): pass\n    def dumps(self, v): return repr(v)\n" > "$STUB/stubs/itsdangerous.py"
printf "def atomic_write(*a, **k): raise RuntimeError('no render')\n" > "$STUB/stubs/atomicwrites.py"
: > "$STUB/stubs/werkzeug/__init__.py"
printf "from functools import cached_property\n" > "$STUB/stubs/werkzeug/utils.py"
: > "$STUB/publ/__init__.py"
: > "$STUB/publ/image/__init__.py"
printf "class _C:\n    image_output_subdir = '_img'\n    static_folder = '/nonexistent-static'\nconfig = _C()\n" > "$STUB/publ/config.py"
printf "RENDITION_ARG_FILTER = set()\nclass Image:\n    def __init__(self, search_path): self.search_path = search_path\n" > "$STUB/publ/image/image.py"
cp "$PUBL_SRC/image/local.py" "$STUB/publ/image/local.py"
"$PY" - "$PUBL_SRC" "$STUB" <<'PYEOF'
import ast, sys
src_dir, stub = sys.argv[1], sys.argv[2]
# The utils functions local.py needs, copied verbatim.
src = open(f'{src_dir}/utils.py').read()
out = ["from __future__ import annotations\nimport os, re, unicodedata, typing\nimport flask\n"
       "T = typing.TypeVar('T')\n"
       "ListLike = typing.Union[typing.List[T], typing.Tuple[T, ...], typing.Set[T]]\n"]
for node in ast.parse(src).body:
    if isinstance(node, ast.FunctionDef) and node.name in (
            'slugify', 'parse_tuple_string', 'remap_args', 'as_list', 'static_url', 'is_list'):
        out.append(ast.get_source_segment(src, node))
open(f'{stub}/publ/utils.py', 'w').write('\n\n'.join(out) + '\n')
# local_fixed.py: local.py with the fixes publ-rs makes (see size.rs/plan.rs FIX notes).
s = open(f'{src_dir}/image/local.py').read()
def rep(a, b):
    global s
    assert a in s, a
    s = s.replace(a, b)
rep("spec['spec_min_width']", "spec['scale_min_width']")
rep("        tgt_height = spec.get('height')\n        if tgt_height and height > tgt_height:",
    "        if tgt_height and height > tgt_height:")
rep("        return (round(width), round(height)), None",
    "        return (min(round(width), input_w), min(round(height), input_h)), None")
rep("        box_x = round((input_w - box_w) * spec.get('fill_crop_x', 0.5))\n"
    "        box_y = round((input_h - box_h) * spec.get('fill_crop_y', 0.5))",
    "        box_x = max(0, min(input_w - box_w, round((input_w - box_w) * spec.get('fill_crop_x', 0.5))))\n"
    "        box_y = max(0, min(input_h - box_h, round((input_h - box_h) * spec.get('fill_crop_y', 0.5))))")
rep("if ext in ", "if ext.lower() in ")
rep("and ext not in", "and ext.lower() not in")
rep("if ext == '.gif'", "if ext.lower() == '.gif'")
open(f'{stub}/publ/image/local_fixed.py', 'w').write(s)
PYEOF
cd "$STUB" && PYTHONPATH="$STUB/stubs:$STUB" "$PY" "$HERE/gen_parity.py"
rm -rf "$STUB"
