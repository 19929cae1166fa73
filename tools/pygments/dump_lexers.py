"""Dump Pygments' regex lexers as data for publ-rs's highlighter.

Publ highlights fenced code with Pygments; sites style it with Pygments'
stylesheets and expect its exact token spans. Pygments' `RegexLexer`s are
tables of Python regular expressions, so publ-rs runs the same tables
(`publ-core/src/markup/highlight/`) instead of approximating them.

Run with the oracle's Python (which has Pygments installed):

    /work/oracle/v/bin/python tools/pygments/dump_lexers.py \
        publ-core/src/markup/highlight/lexers.bin

The file is one line of JSON (Pygments' version, every alias Pygments
knows and which dumped lexer serves it, and where each lexer's data
lies) followed by each lexer's rules as zlib-compressed JSON, so publ-rs
inflates only the lexers a site uses.

Only lexers whose every action is a token type, `bygroups`, `using` or a
callback publ-rs ports by name are dumped; the rest are left out and their
languages fall back to the generic highlighter.
"""

import json
import re
import sys
import zlib

import pygments
import pygments.lexers as L
from pygments.formatters import HtmlFormatter
from pygments.lexer import (DelegatingLexer, ExtendedRegexLexer, Lexer,
                            RegexLexer, this)
from pygments.token import Other

# Callbacks ported by hand, by qualified name.
PORTED = {'MarkdownLexer._handle_codeblock'}

FORMATTER = HtmlFormatter()


class Unsupported(Exception):
    pass


def css(ttype):
    if ttype is Other:
        # Delegating lexers hand `Other` text to their root lexer.
        return None
    return FORMATTER._get_css_classes(ttype)


def action(act, names):
    if act is None:
        return 0
    if type(act).__name__ == '_TokenType':
        return css(act)
    qual = getattr(act, '__qualname__', '')
    if qual.startswith('bygroups.'):
        return {'groups': [action(a, names) for a in act.__closure__[0].cell_contents]}
    if qual.startswith('using.'):
        cells = dict(zip(act.__code__.co_freevars,
                         (c.cell_contents for c in act.__closure__)))
        other = cells.get('_other', this)
        kwargs = cells.get('kwargs', {})
        if kwargs:
            raise Unsupported(f'using() with options {kwargs}')
        stack = cells.get('gt_kwargs', {}).get('stack')
        if other is this:
            target = 'this'
        else:
            target = other.__name__
            names.add(target)
        out = {'using': target}
        if stack is not None:
            out['stack'] = list(stack)
        return out
    if qual in PORTED:
        return {'callback': qual}
    if qual.startswith('YamlLexer.') and qual.endswith('.<locals>.callback'):
        # YAML's indentation callbacks, ported by name with their arguments.
        cells = dict(zip(act.__code__.co_freevars,
                         (c.cell_contents for c in act.__closure__)))
        out = {'yaml': qual.split('.')[1]}
        for key in ('token_class', 'indent_token_class'):
            if key in cells:
                out['class'] = css(cells[key])
                out['error'] = css(cells[key].Error)
        if 'content_token_class' in cells:
            out['content'] = css(cells['content_token_class'])
        for key in ('start', 'implicit'):
            if key in cells:
                out[key] = bool(cells[key])
        return out
    raise Unsupported(f'callback {qual}')


def new_state(ns):
    if ns is None:
        return None
    if isinstance(ns, int):
        return ns
    if isinstance(ns, str):
        return ns
    return list(ns)


def flags_of(flags):
    out = ''
    for f, c in ((re.IGNORECASE, 'i'), (re.MULTILINE, 'm'), (re.DOTALL, 's'),
                 (re.VERBOSE, 'x')):
        if flags & f:
            out += c
    return out


# Overrides that only set up the lexer's context.
BENIGN = {('YamlLexer', 'get_tokens_unprocessed')}


def overrides(cls, name):
    for klass in cls.__mro__:
        if (klass.__name__, name) in BENIGN:
            continue
        if klass in (ExtendedRegexLexer, RegexLexer, DelegatingLexer, Lexer):
            return False
        if name in klass.__dict__:
            return True
    return False


def dump_regex(cls):
    if not issubclass(cls, RegexLexer):
        raise Unsupported('not a RegexLexer')
    # An `__init__` that reads options is fine: Publ uses the defaults.
    for name in ('get_tokens_unprocessed', 'get_tokens'):
        if overrides(cls, name):
            raise Unsupported(f'overrides {name}')
    lexer = cls()
    names = set()
    states = {}
    for state, rules in lexer._tokens.items():
        out = []
        for rexmatch, act, ns in rules:
            rex = rexmatch.__self__
            try:
                rex.pattern.encode('utf-8')
            except UnicodeEncodeError as e:
                # Lone surrogates: no UTF-8 text can hold them.
                raise Unsupported(f'pattern with surrogates: {e}')
            out.append([rex.pattern, flags_of(rex.flags), action(act, names), new_state(ns)])
        states[state] = out
    options = {k: getattr(lexer, k) for k in ('stripnl', 'stripall', 'ensurenl', 'tabsize')}
    return {'states': states, 'options': options}, names


def main():
    lexers = {}
    needs = {}
    skipped = {}
    aliases = {}
    delegating = {}
    for name, alias_list, _files, _mimes in L.get_all_lexers(plugins=False):
        cls = L.find_lexer_class(name)
        if issubclass(cls, DelegatingLexer):
            delegating[cls.__name__] = (cls, alias_list)
            continue
        try:
            lexers[cls.__name__], needs[cls.__name__] = dump_regex(cls)
        except Unsupported as e:
            skipped[cls.__name__] = str(e)
            continue
        for a in alias_list:
            aliases[a] = cls.__name__
    for name, (cls, alias_list) in delegating.items():
        lexer = cls()
        if overrides(cls, 'get_tokens_unprocessed'):
            skipped[name] = 'overrides get_tokens_unprocessed'
            continue
        root = type(lexer.root_lexer).__name__
        lang = type(lexer.language_lexer).__name__
        if root not in lexers or lang not in lexers:
            skipped[name] = f'delegates to {root}/{lang}'
            continue
        options = {k: getattr(lexer, k) for k in ('stripnl', 'stripall', 'ensurenl', 'tabsize')}
        lexers[name] = {'delegate': [root, lang], 'options': options}
        for a in alias_list:
            aliases[a] = name
    # A lexer that sub-lexes with one we could not dump cannot run.
    changed = True
    while changed:
        changed = False
        for name, deps in list(needs.items()):
            if name in lexers and any(d not in lexers for d in deps):
                skipped[name] = 'uses ' + ', '.join(sorted(d for d in deps if d not in lexers))
                del lexers[name]
                changed = True
    # Every alias Pygments knows: `None` for a lexer we could not dump,
    # so the highlighter can tell those from names Pygments lacks.
    known = {}
    for _name, alias_list, _files, _mimes in L.get_all_lexers(plugins=False):
        for a in alias_list:
            known[a] = None
    for a, n in aliases.items():
        if n in lexers:
            known[a] = n
    for name, why in sorted(skipped.items()):
        print(f'skipped {name}: {why}', file=sys.stderr)
    blobs = b''
    index = {}
    for name in sorted(lexers):
        blob = zlib.compress(json.dumps(lexers[name], separators=(',', ':'),
                                        sort_keys=True).encode(), 9)
        index[name] = [len(blobs), len(blob)]
        blobs += blob
    head = json.dumps({'pygments': pygments.__version__, 'aliases': known, 'lexers': index},
                      separators=(',', ':'), sort_keys=True).encode()
    with open(sys.argv[1], 'wb') as out:
        out.write(head + b'\n' + blobs)


main()
