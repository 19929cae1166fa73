#!/bin/sh
# Renditions per second: a 12-megapixel JPEG to 800 px wide at 1x and 2x,
# publ-rs (release build) against Pillow doing the same steps as Publ's
# LocalImage (open, EXIF orientation, Lanczos resize, JPEG save with
# optimize). Needs the oracle venv (Pillow comes with publ):
#   VENV=/work/oracle/v sh bench/renditions.sh [ROUNDS]
set -eu
ROUNDS=${1:-5}
VENV=${VENV:-/work/oracle/v}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" - "$WORK/photo.jpg" <<'PY'
import sys, random
from PIL import Image, ImageDraw, ImageFilter
random.seed(1)
im = Image.new('RGB', (4000, 3000))
d = ImageDraw.Draw(im)
for _ in range(400):
    x, y = random.randrange(4000), random.randrange(3000)
    d.ellipse([x, y, x + random.randrange(50, 600), y + random.randrange(50, 600)],
              fill=tuple(random.randrange(256) for _ in range(3)))
im = im.filter(ImageFilter.GaussianBlur(3))
im.save(sys.argv[1], quality=90)
PY
cargo build --quiet --release -p publ-core --example render_bench --manifest-path "$HERE/Cargo.toml"
"$HERE/target/release/examples/render_bench" "$WORK/photo.jpg" 800 "$ROUNDS"
"$VENV/bin/python" - "$WORK/photo.jpg" 800 "$ROUNDS" <<'PY'
import io, sys, time
from PIL import Image, ImageOps
path, width, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
count = 0
for _ in range(rounds):
    for scale in (1, 2):
        image = ImageOps.exif_transpose(Image.open(path))
        size = (width * scale, round(image.height * width * scale / image.width))
        out = image.resize(size=size, resample=Image.Resampling.LANCZOS)
        out.save(io.BytesIO(), format='JPEG', optimize=True)
        count += 1
secs = time.perf_counter() - start
print(f"Pillow {Image.__version__}: {count} renditions in {secs:.2f} s: {count / secs:.2f} renditions/s")
PY
