#!/usr/bin/env python3
"""gen_site.py - write a large synthetic Publ site for benchmarking.

    python3 bench/gen_site.py OUT_DIR [--entries 10000] [--categories 50] [--seed 7]

The site is deterministic (one seeded RNG), so two runs with the same
arguments write byte-identical trees and timings are comparable over time.
It has:

* publ.toml (timezone UTC; publ-rs reads it, Python Publ needs an app.py);
* templates/: a layout, a paged category index, an entry page, an Atom feed
  with absolute links and an error page, in plain Jinja2 that both Python
  Publ and publ-rs render;
* content/: CATEGORIES folders (a fifth of them top level, the rest nested
  one level below), ENTRIES Markdown entries with Title/Date/Tag headers
  (a few tags each from a pool of 120), a "more" section, and in about one
  entry in five an image from content/images/ (a few small real PNG files
  written with zlib and one JPEG shipped inline), plus one ~200 kB entry.

Entries carry no Entry-ID or UUID, so the first index assigns them and
writes them back into every file, as on a real first run. Stdlib only.
"""

import argparse
import base64
import os
import random
import struct
import sys
import zlib
from datetime import datetime, timedelta

WORDS = """
able about above across act add after again against air all almost along also
always among angle animal answer appear apple area arm arrange art ask atom
baby back bank base basic bear beat bed before begin bell best better between
big bird bit black block blood blue board boat body bone book born both bottom
box branch bread break bright bring broad brother brown build burn busy call
camp capital captain car card care carry case cat catch cause cell center
chance change charge chart check chief child choose church circle city claim
class clean clear climb clock close cloud coast cold collect colony color
column common company compare complete condition connect consider contain
continue control cook cool copy corn corner cost cotton count country course
cover cow crease create crop cross crowd current cut dance dark day dead deal
dear death decide deep degree depend describe desert design determine develop
dictionary differ direct discuss distant divide doctor dollar door double
draw dream dress drink drive drop dry duck during dust early earth ease east
edge effect egg eight electric element else end enemy energy engine enough
enter equal especially even evening event ever exact example except excite
exercise expect experience experiment eye face fact fair fall family famous
farm fast father favor fear feed feel fell few field fig fight figure fill
final find fine finger finish fire first fish fit five flat floor flow flower
fly follow food foot force forest form forward found four fraction free fresh
friend front fruit full fun game garden gas gather gentle glad glass gold
good govern grand grass gray great green ground group grow guess guide gun
hair half hand happen happy hard hat head hear heart heat heavy help high
hill history hold hole home hope horse hot hour house huge human hunt idea
inch include indicate industry insect instant instrument interest invent
iron island job join joy jump keep kept key kind king knew know lady lake
land language large last late laugh law lay lead learn least leave left leg
length less letter level lie life lift light like line liquid list listen
little live locate log long look lost loud love low machine magnet main major
make map mark market mass master match material matter meant measure meat
meet melody metal method middle might mile milk mind mine minute miss mix
modern molecule moment money month moon morning mother motion mount mountain
mouth move music name nation natural nature near necessary neck need neighbor
never night nine noise noon north nose note notice noun number object observe
ocean offer office often oil old once one open operate opposite order organ
original other oxygen page paint pair paper paragraph parent part particular
party pass past path pattern pay people perhaps period person phrase pick
picture piece pitch place plain plan plane planet plant play please plural
poem point poor populate port pose position possible post pound power
practice prepare present press pretty print probable problem process produce
product proper property protect prove provide pull push quart question quick
quiet quite quotient race radio rail rain raise range rather reach read ready
real reason receive record region remember repeat reply represent require
rest result rich ride right ring rise river road rock roll room root rope
rose round row rub rule run safe sail salt sand save say scale school science
score sea search season seat second section see seed segment select self sell
send sense sentence separate serve settle seven shape share sharp sheet shell
shine ship shoe shop shore short shoulder shout show side sight sign silent
silver similar simple since sing single sister size skill skin sky sleep slip
slow small smell smile snow soft soil soldier solution solve song soon sound
south space speak special speech speed spell spend spoke spot spread spring
square stand star start state station stay stead steam steel step stick still
stone stood stop store story straight strange stream street stretch string
strong student study subject substance success sudden suffix sugar suggest
suit summer sun supply support surprise swim syllable symbol system table
tail take talk tall teach team teeth tell temperature ten term test thank
thick thin thing third thought thousand three through throw tiny tire toward
town track trade train travel tree triangle trip trouble truck true try tube
turn twenty type under unit until use usual valley value vary verb village
visit voice vowel wait walk wall warm wash watch water wave wear weather week
weight west wheel whole wide wife wild win wind window wing winter wire wish
woman wonder wood word work world write yard year yellow young
""".split()

# A 32x24 gradient JPEG made once with Pillow (quality 60): a real JPEG file
# without a JPEG encoder here.
JPEG_32x24 = base64.b64decode(
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNS'
    'Mj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P'
    'T0//wAARCAAYACADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAABAAFAwb/xAAXEAADAQAAAAAAAAAAAAAAAAAAAwRh/8QAGAEA'
    'AgMAAAAAAAAAAAAAAAAABAYDBQf/xAAXEQADAQAAAAAAAAAAAAAAAAAAAgQD/9oADAMBAAIRAxEAPwDxapMGKkw0VSYMVJhY6UkEtZnK'
    'kwWqTDRVJgxUmAWlIyy1nFUmDFSYRATuxnUujC1SYMVJhEB6OwyS6Mf/2Q==')

PUBL_TOML = '''\
# A synthetic benchmark site written by bench/gen_site.py.
timezone = "UTC"
'''

LAYOUT = '''\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}Bench site{% endblock %}</title>
<link rel="alternate" type="application/atom+xml" href="{{ category.root.link(template='feed') }}" title="Atom feed">
</head>
<body>
<header><a href="{{ category.root.link }}">Bench site</a></header>
{% block content %}{% endblock %}
</body>
</html>
'''

INDEX = '''\
{% extends "_layout.html" %}
{% block title %}{% if category.path %}{{ category.name }} - {% endif %}Bench site{% endblock %}
{% block content %}
<h1>{{ category.name if category.path else "Bench site" }}</h1>
{% if category.parent %}
<p class="parent">Up: <a href="{{ category.parent.link }}">{{ category.parent.name or "Home" }}</a></p>
{% endif %}
{% if category.subcats %}
<ul class="subcats">
{% for subcat in category.subcats %}
<li><a href="{{ subcat.link }}">{{ subcat.name }}</a></li>
{% endfor %}
</ul>
{% endif %}

{% set page = view(recurse=True, count=20) %}
{% for entry in page.entries %}
<article class="summary">
<h2><a href="{{ entry.link }}">{{ entry.title }}</a></h2>
<p class="date">{{ entry.date.format('YYYY-MM-DD HH:mm') }} in {{ entry.category.name or "Home" }}</p>
{% if entry.tags %}<p class="tags">{% for tag in entry.tags %}<span>{{ tag }}</span> {% endfor %}</p>{% endif %}
{{ entry.body }}
{% if entry.more %}<p><a href="{{ entry.link }}">Read more</a></p>{% endif %}
</article>
{% else %}
<p>No entries here.</p>
{% endfor %}

<nav class="paging">
{% if page.older %}<a href="{{ page.older.link }}" rel="next">Older</a>{% endif %}
{% if page.newer %}<a href="{{ page.newer.link }}" rel="prev">Newer</a>{% endif %}
</nav>
{% endblock %}
'''

ENTRY = '''\
{% extends "_layout.html" %}
{% block title %}{{ entry.title(markup=False) }} - Bench site{% endblock %}
{% block content %}
<article class="entry">
<h1>{{ entry.title }}</h1>
<p class="date"><time datetime="{{ entry.date.isoformat() }}">{{ entry.date.format('MMMM D, YYYY') }}</time>
in <a href="{{ entry.category.link }}">{{ entry.category.name or "Home" }}</a></p>
{% if entry.tags %}
<ul class="tags">{% for tag in entry.tags %}<li>{{ tag }}</li>{% endfor %}</ul>
{% endif %}
{{ entry.body }}
{% if entry.more %}
<div class="more">
{{ entry.more }}
</div>
{% endif %}
</article>
<nav class="neighbors">
{% if entry.previous %}<a href="{{ entry.previous.link }}" rel="prev">Previous: {{ entry.previous.title }}</a>{% endif %}
{% if entry.next %}<a href="{{ entry.next.link }}" rel="next">Next: {{ entry.next.title }}</a>{% endif %}
</nav>
{% endblock %}
'''

FEED = '''\
<?xml version="1.0" encoding="utf-8"?>
{% set feed = view(recurse=True, count=20) %}
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Bench site{{ ': ' ~ category.name if category.path else '' }}</title>
<link href="{{ category.link(absolute=True) }}" rel="alternate" type="text/html" />
<link href="{{ category.link(template='feed', absolute=True) }}" rel="self" />
<id>{{ category.link(absolute=True) }}</id>
<updated>{{ feed.last_modified.isoformat() }}</updated>
<author><name>Bench Author</name></author>
{% for entry in feed.entries %}
<entry>
<title>{{ entry.title(markup=False) }}</title>
<link href="{{ entry.permalink(absolute=True) }}" rel="alternate" type="text/html" />
<id>urn:uuid:{{ entry.uuid }}</id>
<published>{{ entry.date.isoformat() }}</published>
<updated>{{ entry.last_modified.isoformat() }}</updated>
<content type="html"><![CDATA[{{ entry.body(absolute=True) }}{% if entry.more %}
{{ entry.more(absolute=True) }}{% endif %}]]></content>
</entry>
{% endfor %}
</feed>
'''

ERROR = '''\
{% extends "_layout.html" %}
{% block title %}{{ error.code }} {{ error.message }}{% endblock %}
{% block content %}
<h1 class="error">Error {{ error.code }}</h1>
<p>{{ error.message }}</p>
{% endblock %}
'''

TEMPLATES = {'_layout.html': LAYOUT, 'index.html': INDEX, 'entry.html': ENTRY,
             'feed.xml': FEED, 'error.html': ERROR}


# ------------------------------------------------------------------ images

def png(width, height, pixel):
    """A truecolour PNG whose pixel (x, y) is pixel(x, y) -> (r, g, b):
    enough of the format to be a real image file that Pillow and the image
    crate open, written with zlib alone."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    rows = b''.join(b'\0' + bytes(c for x in range(width) for c in pixel(x, y))
                    for y in range(height))
    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows, 9))
            + chunk(b'IEND', b''))


def write_images(folder):
    """A handful of small images (returned as names), shared by many entries,
    so image lookups hit the same few files as on a real blog."""
    os.makedirs(folder, exist_ok=True)
    images = {}
    for num, (w, h) in enumerate([(320, 240), (240, 320), (400, 300), (160, 160), (640, 360)]):
        images[f'photo-{num}.png'] = png(
            w, h, lambda x, y, n=num, w=w, h=h: (x * 255 // w, y * 255 // h, (n * 50) % 256))
    images['thumb.jpg'] = JPEG_32x24
    for name, data in images.items():
        with open(os.path.join(folder, name), 'wb') as fh:
            fh.write(data)
    return sorted(images)


# ----------------------------------------------------------------- content

class Writer:
    """Random but repeatable Markdown text, all from one seeded RNG."""

    def __init__(self, rng):
        self.rng = rng

    def words(self, low, high):
        return ' '.join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def title(self):
        return self.words(2, 6).title()

    def sentence(self):
        text = self.words(6, 18)
        roll = self.rng.random()
        if roll < 0.08:
            text += f' *{self.words(1, 3)}*'
        elif roll < 0.14:
            text += f' [{self.words(1, 3)}](https://example.com/{self.rng.choice(WORDS)})'
        elif roll < 0.18:
            text += f' `{self.rng.choice(WORDS)}()`'
        return text[0].upper() + text[1:] + '.'

    def paragraph(self):
        return ' '.join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def block(self):
        """A paragraph, mostly; sometimes a list, quote, heading or code."""
        roll = self.rng.random()
        if roll < 0.10:
            return '\n'.join(f'* {self.words(2, 8)}' for _ in range(self.rng.randint(2, 5)))
        if roll < 0.15:
            return '> ' + self.paragraph()
        if roll < 0.20:
            return '## ' + self.title()
        if roll < 0.23:
            name = self.rng.choice(WORDS)
            return (f'```python\ndef {name}(value):\n    """{self.words(3, 8)}"""\n'
                    f'    return value * {self.rng.randint(2, 99)}\n```')
        return self.paragraph()

    def text(self, low, high):
        return '\n\n'.join(self.block() for _ in range(self.rng.randint(low, high)))


def category_paths(count, rng):
    """COUNT category folders: a fifth at the top, the others one level down."""
    names = rng.sample(WORDS, count)
    top = names[:max(1, count // 5)]
    nested = [f'{top[num % len(top)]}/{name}' for num, name in enumerate(names[len(top):])]
    return top + nested


def entry_text(writer, rng, title, date, tags, image):
    headers = [f'Title: {title}', f'Date: {date:%Y-%m-%d %H:%M:%S}'] + [f'Tag: {tag}' for tag in tags]
    body = [writer.text(1, 3)]
    if image:
        size = '{320}' if rng.random() < 0.3 else ''
        body.insert(rng.randint(0, 1), f'![{writer.words(2, 5)}{size}](/images/{image})')
    parts = ['\n'.join(headers), '\n\n'.join(body)]
    if rng.random() < 0.6:
        parts += ['.....', writer.text(2, 6)]
    return '\n\n'.join(parts) + '\n'


def long_entry_text(writer, target_bytes):
    """The one big entry (a book chapter, a changelog): sections of text until
    the file is about TARGET_BYTES long."""
    parts = ['Title: The Long Entry', 'Date: 2024-12-31 12:00:00', 'Tag: longform', '',
             writer.text(2, 3), '', '.....', '']
    size = sum(len(p) + 1 for p in parts)
    section = 0
    while size < target_bytes:
        section += 1
        chunk = f'## Section {section}: {writer.title()}\n\n{writer.text(6, 12)}\n'
        parts.append(chunk)
        size += len(chunk) + 1
    return '\n'.join(parts) + '\n'


def write_site(out, entries, categories, seed):
    """Writes the whole site into OUT (which must not hold a site yet)."""
    rng = random.Random(seed)
    writer = Writer(rng)
    content = os.path.join(out, 'content')
    os.makedirs(os.path.join(out, 'templates'))
    with open(os.path.join(out, 'publ.toml'), 'w') as fh:
        fh.write(PUBL_TOML)
    for name, text in TEMPLATES.items():
        with open(os.path.join(out, 'templates', name), 'w') as fh:
            fh.write(text)
    images = write_images(os.path.join(content, 'images'))
    cats = category_paths(categories, rng)
    for cat in cats:
        os.makedirs(os.path.join(content, cat), exist_ok=True)
    tag_pool = rng.sample(WORDS, 120)
    start, span = datetime(2014, 1, 1), 11 * 365 * 24 * 3600
    for num in range(entries - 1):
        title = writer.title()
        date = start + timedelta(seconds=rng.randrange(span))
        tags = rng.sample(tag_pool, rng.randint(2, 5))
        image = rng.choice(images) if rng.random() < 0.2 else None
        slug = '-'.join(title.lower().split())[:40]
        path = os.path.join(content, rng.choice(cats), f'{num:05d}-{slug}.md')
        with open(path, 'w') as fh:
            fh.write(entry_text(writer, rng, title, date, tags, image))
    with open(os.path.join(content, cats[0], 'the-long-entry.md'), 'w') as fh:
        fh.write(long_entry_text(writer, 200 * 1024))
    return cats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out', help='the folder to write the site into (must not exist or be empty)')
    ap.add_argument('--entries', type=int, default=10000, help='entries, the long one included')
    ap.add_argument('--categories', type=int, default=50, help='category folders')
    ap.add_argument('--seed', type=int, default=7, help='the RNG seed (same seed, same site)')
    args = ap.parse_args()
    if args.entries < 1 or not 1 <= args.categories <= len(WORDS):
        ap.error('need at least one entry and 1..%d categories' % len(WORDS))
    if os.path.exists(args.out) and os.listdir(args.out):
        ap.error(f'{args.out} is not empty')
    os.makedirs(args.out, exist_ok=True)
    cats = write_site(args.out, args.entries, args.categories, args.seed)
    print(f'gen_site: {args.entries} entries in {len(cats)} categories written to {args.out}',
          file=sys.stderr)


if __name__ == '__main__':
    main()
