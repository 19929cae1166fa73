#!/usr/bin/env python3
"""load.py - issue 7's benchmark: publ-rs against the Python Publ oracle and nginx.

Two parts, measured in one run and printed as Markdown tables:

1. Index (skipped with --skip-gen): a synthetic site (bench/gen_site.py,
   10,000 entries over 50 categories) is indexed by `publ reindex` cold (no
   index database; the time the index is ready, then the time every entry
   ID is written back) and warm (fingerprints
   unchanged), with the wall time, CPU time and peak RSS of each run; then
   `publ serve` is started cold and warm on fresh copies, timed until its
   TCP socket accepts connections.

2. Load: publ-site (copied: servers write into their site folder) is served
   by publ-rs, by the oracle (Python Publ 0.8.19 under gunicorn, gthread,
   2 workers x 8 threads, Flask-Caching SimpleCache; skipped with
   --skip-oracle) and by nginx serving the pages publ-rs rendered, as files
   (the physical limit of this machine). Each page is warmed, then loaded by
   `wrk -t2 -cN -dDs --latency`, one server at a time; requests/s, p50 and p99
   latency are parsed from wrk's report and peak RSS is the sum of VmHWM over
   each server's process tree.

The issue's targets are checked and marked PASS/FAIL. The exit status is 0
whatever the numbers (this is a report, not a test); 1 if a server could not
be started or measured (what was measured is still printed), 2 if a
prerequisite is missing, 130 if interrupted. Every process and temporary
folder is cleaned up on exit, Ctrl-C and SIGTERM included. Stdlib only; see
bench/README.md.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tools', 'compat'))
sys.dont_write_bytecode = True  # no __pycache__ left in the repo by the import below
from compat import free_port, oracle_app_py  # noqa: E402  (the oracle's app.py, as compat.py makes it)

PAGES = ['/', '/blog/', '/manual/324-Templating-Guide', '/feed']
ORACLE_CACHE = {'CACHE_TYPE': 'SimpleCache', 'CACHE_DEFAULT_TIMEOUT': 600, 'CACHE_THRESHOLD': 2000}
TARGETS = {  # issue 7
    'oracle_ratio': 20.0,     # publ-rs req/s >= 20x the oracle's, every page
    'nginx_ratio': 0.5,       # within 2x of nginx static
    'p99_ms': 5.0,            # publ-rs p99 at 16 connections
    'cold_index_s': 2.0,      # cold index of the 10k site
    'rss_ratio': 0.2,         # publ-rs RSS under one fifth of the oracle's
}
INSTALL_HELP = {
    'wrk': 'apt-get install -y wrk',
    'nginx': 'apt-get install -y nginx',
    'venv': ("mkdir -p /work/oracle && cd /work/oracle && python3 -m venv v && "
             "v/bin/pip install 'publ[auth,search]==0.8.19' gunicorn Flask-Caching"),
}


def log(msg):
    print(f'load: {msg}', file=sys.stderr, flush=True)


# ------------------------------------------------------------------ processes

class Processes:
    """Every server this script starts, each in its own session, so that
    stop_all() can end it with its children (gunicorn and nginx workers)
    by process group, and a Ctrl-C in the terminal reaches only us."""

    def __init__(self):
        self.started = []

    def start(self, cmd, log_path, cwd=None, env=None):
        with open(log_path, 'ab') as log_fh:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=log_fh, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path = log_path
        self.started.append(proc)
        return proc

    def stop(self, proc, grace=15):
        """SIGTERM to its group, SIGKILL after GRACE seconds; forgets it."""
        if proc in self.started:
            self.started.remove(proc)
        if proc.poll() is None:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                log(f'pid {proc.pid} ignored SIGTERM, killing it')
        self._signal(proc, signal.SIGKILL)  # stragglers of the group
        if proc.poll() is None:
            proc.wait()

    def stop_all(self):
        while self.started:
            self.stop(self.started[-1])

    @staticmethod
    def _signal(proc, sig):
        try:
            os.killpg(proc.pid, sig)  # its own session: pgid == pid
        except (ProcessLookupError, PermissionError):
            pass


def log_tail(path, lines=20):
    try:
        with open(path, errors='replace') as fh:
            return f'--- tail of {path}\n' + ''.join(fh.readlines()[-lines:])
    except OSError:
        return ''


def tree_pids(root):
    """ROOT and all its descendants, from the ppid field of /proc/*/stat."""
    parents = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                with open(f'/proc/{name}/stat') as fh:
                    fields = fh.read().rsplit(')', 1)[1].split()
                parents[int(name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def peak_rss_kib(root):
    """(sum of VmHWM over ROOT's process tree in KiB, number of processes).
    Forked workers share pages with their master, counted in each: the sum
    overstates a pre-forking server a little, as `ps` would."""
    total = count = 0
    for pid in tree_pids(root):
        try:
            with open(f'/proc/{pid}/status') as fh:
                hwm = re.search(r'^VmHWM:\s+(\d+) kB', fh.read(), re.M)
        except OSError:
            continue
        if hwm:
            total, count = total + int(hwm.group(1)), count + 1
    return total, count


def cpu_seconds(pid):
    """User + system CPU seconds a running process has used so far."""
    with open(f'/proc/{pid}/stat') as fh:
        fields = fh.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def time_child(cmd, log_path):
    """(wall seconds, CPU seconds, peak RSS KiB, exit status) of one command run to its end:
    os.wait4 gives the rusage of that very child, so consecutive runs are
    measured apart (RUSAGE_CHILDREN would keep the maximum of all)."""
    with open(log_path, 'ab') as log_fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_fh, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


# ----------------------------------------------------------------------- HTTP

def http_get(port, path, timeout=60):
    """(status, headers, body) of GET path on 127.0.0.1:PORT; status 0 on error."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request('GET', path, headers={'User-Agent': 'publ-bench'})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except (OSError, http.client.HTTPException):
        return 0, {}, b''
    finally:
        conn.close()


def wait_accepting(port, proc, timeout):
    """Seconds until 127.0.0.1:PORT accepts a connection (polled every 5 ms)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f'exited with status {proc.returncode}\n' + log_tail(proc.log_path))
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f'not accepting on port {port} after {timeout}s\n' + log_tail(proc.log_path))


def wait_indexed(port, proc, timeout, rounds):
    """Until ROUNDS probes in a row find `/` answering 200 and an unknown URL
    404: while Publ indexes it answers unknown URLs with 503 (a 500 from
    0.8.19), and with several workers each must be done, so the probes
    (new connections each) go on until all answer alike."""
    deadline, good = time.monotonic() + timeout, 0
    while good < rounds:
        if proc.poll() is not None:
            raise RuntimeError(f'exited with status {proc.returncode}\n' + log_tail(proc.log_path))
        if time.monotonic() > deadline:
            raise RuntimeError(f'not indexed after {timeout}s\n' + log_tail(proc.log_path))
        home = http_get(port, '/')[0]
        probe = http_get(port, '/bench-probe-does-not-exist')[0]
        good = good + 1 if (home, probe) == (200, 404) else 0
        time.sleep(0.2 if good else 0.5)


# ------------------------------------------------------------- part 1: index

def bench_index(args, scratch, procs, result):
    """Cold and warm `publ reindex` and `publ serve` startup on the synthetic
    site, into RESULT as they are measured (so a failure keeps the rest):
    (wall s, CPU s, peak RSS KiB) per run, and notes."""
    pristine = os.path.join(scratch, 'gen-site')
    log(f'generating the synthetic site ({args.entries} entries, {args.categories} categories)')
    start = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(REPO, 'bench', 'gen_site.py'), pristine,
                    '--entries', str(args.entries), '--categories', str(args.categories)], check=True)
    result['gen_s'] = time.perf_counter() - start

    site = copy_site(pristine, os.path.join(scratch, 'gen-reindex'))
    index_log = os.path.join(scratch, 'reindex.log')
    for phase in ('cold', 'warm'):
        log(f'publ reindex, {phase}')
        secs, cpu, rss, status = time_child([args.publ, 'reindex', site], index_log)
        if status:
            raise RuntimeError(f'publ reindex exited with status {status}\n' + log_tail(index_log))
        result[f'reindex_{phase}'] = secs, cpu, rss
        if phase == 'cold':
            # The index serves once committed; the IDs are written into the
            # files after that (in the background under `publ serve`).
            ready = re.findall(r'index up to date: \d+ entries, ([0-9.]+) s', log_tail(index_log))
            if ready:
                result['index_ready_cold'] = float(ready[-1])
    written = count_with_ids(os.path.join(site, 'content'))
    if written < args.entries:
        result['notes'].append(f'only {written} of {args.entries} entries got an Entry-ID written back')
    # A Publ site moved to publ-rs: every file carries its ID, no index yet.
    for name in os.listdir(site):
        if name.startswith('index.db'):
            os.remove(os.path.join(site, name))
    log('publ reindex, cold with IDs in the files')
    secs, cpu, rss, status = time_child([args.publ, 'reindex', site], index_log)
    if status:
        raise RuntimeError(f'publ reindex exited with status {status}\n' + log_tail(index_log))
    result['reindex_cold_ids'] = secs, cpu, rss

    site = copy_site(pristine, os.path.join(scratch, 'gen-serve'))
    for phase in ('cold', 'warm'):
        log(f'publ serve startup, {phase}')
        port = free_port()
        proc = procs.start([args.publ, 'serve', site, '--bind', f'127.0.0.1:{port}'],
                           os.path.join(scratch, f'gen-serve-{phase}.log'))
        try:
            secs = wait_accepting(port, proc, args.timeout)
            start = time.perf_counter()
            status = http_get(port, '/')[0]
            result[f'first_home_{phase}'] = time.perf_counter() - start, status
            result[f'serve_{phase}'] = secs, cpu_seconds(proc.pid), peak_rss_kib(proc.pid)[0]
            if status != 200:
                result['notes'].append(f'synthetic site: / answered {status} after a {phase} start')
            if phase == 'cold':
                # The warm start is a restart of a complete index: the IDs
                # the cold start assigned are written back while it serves.
                done = wait_for_text(os.path.join(scratch, 'gen-serve-cold.log'),
                                     'startup write-backs done', args.timeout)
                result['serve_writeback_cold'] = done
        finally:
            procs.stop(proc)


def wait_for_text(path, text, timeout):
    """Seconds until the file at PATH contains TEXT (None on timeout)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with open(path, errors='replace') as fh:
                if text in fh.read():
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    return None


def copy_site(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    # The copy's own dirty pages would otherwise be flushed by the first
    # index's durable write-backs and charged to it.
    os.sync()
    return dst


def count_with_ids(content):
    """Entries whose file now has an Entry-ID header (written back by the index)."""
    count = 0
    for folder, _, files in os.walk(content):
        for name in files:
            if name.endswith('.md'):
                with open(os.path.join(folder, name), errors='replace') as fh:
                    head = fh.read(4096).split('\n\n', 1)[0]
                count += bool(re.search(r'(?im)^Entry-ID:', head))
    return count


# -------------------------------------------------------------- part 2: load

def without_search(config, scratch):
    """A copy of the publ-rs config without `search_index`: the oracle runs
    without one (see start_oracle), and both must do the same work."""
    copy = os.path.join(scratch, 'publ-rs.toml')
    with open(config) as src, open(copy, 'w') as dst:
        dst.writelines(line for line in src if not line.lstrip().startswith('search_index'))
    return copy


def start_publ(args, scratch, procs):
    site = copy_site(args.site, os.path.join(scratch, 'publ-rs-site'))
    port = free_port()
    cmd = [args.publ, 'serve', site, '--bind', f'127.0.0.1:{port}']
    if args.config:
        cmd += ['--config', without_search(args.config, scratch)]
    proc = procs.start(cmd, os.path.join(scratch, 'publ-rs.log'))
    log(f'publ-rs on 127.0.0.1:{port} (pid {proc.pid})')
    wait_accepting(port, proc, args.timeout)
    wait_indexed(port, proc, args.timeout, rounds=2)
    return proc, port


def start_oracle(args, scratch, procs, taken):
    """Python Publ 0.8.19 on its own copy of the site: app.py as compat.py
    writes it (the publ-rs config translated) plus a SimpleCache and without
    the search index, under gunicorn with 2 gthread workers of 8 threads."""
    site = copy_site(args.site, os.path.join(scratch, 'oracle-site'))
    cfg = {}
    if args.config:
        with open(args.config, 'rb') as fh:
            cfg = tomllib.load(fh)
    cfg['cache'] = dict(ORACLE_CACHE)
    # Both workers would index the search folder at once and trip over
    # whoosh's write lock (LockError on scan); no measured page searches.
    cfg.pop('search_index', None)
    with open(os.path.join(site, 'app.py'), 'w') as fh:
        fh.write(oracle_app_py(cfg, os.path.join(site, 'bench-index.db')))
    port = free_port(taken)
    proc = procs.start(
        [os.path.join(args.venv, 'bin', 'gunicorn'), '--chdir', site, '-b', f'127.0.0.1:{port}',
         '--worker-class', 'gthread', '--threads', '8', '--workers', '2',
         '--timeout', '120', '--graceful-timeout', '5', 'app:app'],
        os.path.join(scratch, 'oracle.log'), cwd=site, env={**os.environ, 'PYTHONHASHSEED': '0'})
    log(f'the oracle on 127.0.0.1:{port} (pid {proc.pid}); waiting for its index')
    wait_accepting(port, proc, args.timeout)
    wait_indexed(port, proc, args.timeout, rounds=8)
    return proc, port


NGINX_CONF = """\
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    types {{ }}
    root {root}/html;
    server {{
        listen 127.0.0.1:{port};
{locations}
    }}
}}
"""
NGINX_LOCATION = """\
        location = {path} {{ default_type "{ctype}"; try_files /page{num} =404; }}
"""


def start_nginx(args, scratch, procs, pages, taken):
    """nginx serving PAGES ({path: (content type, body)}) from files, each at
    its own path with its own content type: static files at the speed of
    this machine, the ceiling for a server of rendered pages."""
    root = os.path.join(scratch, 'nginx')
    for sub in ('html', 'tmp'):
        os.makedirs(os.path.join(root, sub))
    locations = []
    for num, (path, (ctype, body)) in enumerate(pages.items()):
        with open(os.path.join(root, 'html', f'page{num}'), 'wb') as fh:
            fh.write(body)
        locations.append(NGINX_LOCATION.format(path=path, ctype=ctype.replace('"', ''), num=num))
    port = free_port(taken)
    conf = os.path.join(root, 'nginx.conf')
    with open(conf, 'w') as fh:
        fh.write(NGINX_CONF.format(root=root, port=port, locations=''.join(locations)))
    make_readable(scratch, root)  # workers run as an unprivileged user when we are root
    proc = procs.start([args.nginx, '-p', root, '-e', os.path.join(root, 'error.log'),
                        '-c', conf, '-g', 'daemon off;'], os.path.join(scratch, 'nginx.log'))
    log(f'nginx on 127.0.0.1:{port} (pid {proc.pid})')
    wait_accepting(port, proc, 30)
    return proc, port


def make_readable(scratch, root):
    os.chmod(scratch, 0o755)
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def canonical_pages(port, paths):
    """{asked path: (canonical path, status, content type, body)} from
    publ-rs, following redirects on the same host (a page whose URL is not
    canonical would measure a redirect)."""
    found = {}
    for path in paths:
        current = path
        for _ in range(5):
            status, headers, body = http_get(port, current)
            if status not in (301, 302, 303, 307, 308):
                break
            url = urllib.parse.urlsplit(urllib.parse.urljoin(f'http://127.0.0.1:{port}{current}',
                                                             headers.get('location', '')))
            if url.port != port:
                break
            current = url.path + (f'?{url.query}' if url.query else '')
        found[path] = current, status, headers.get('content-type', 'application/octet-stream'), body
    return found


def warm(port, paths, rounds):
    """ROUNDS requests per path on new connections, so every worker (and each
    worker's own cache) has rendered every page before wrk starts."""
    for path in paths:
        for _ in range(rounds):
            http_get(port, path)


WRK_LATENCY = re.compile(r'^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$', re.M)
UNIT_MS = {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}


def run_wrk(args, port, path):
    """{rps, p50, p99 (ms), errors} from one `wrk --latency` run."""
    cmd = [args.wrk, f'-t{args.threads}', f'-c{args.connections}', f'-d{args.duration}s', '--latency',
           f'http://127.0.0.1:{port}{path}']
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 120).stdout
    rps = re.search(r'^Requests/sec:\s+([\d.]+)', out, re.M)
    lat = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_LATENCY.findall(out)}
    if not rps or set(lat) != {'50', '99'}:
        raise RuntimeError(f'cannot read wrk output:\n{out}')
    errors = []
    non2xx = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    if non2xx:
        errors.append(f'{non2xx.group(1)} non-2xx/3xx')
    sock = re.search(r'Socket errors:\s*(.*)', out)
    if sock:
        errors.append(f'socket errors: {sock.group(1).strip()}')
    return {'rps': float(rps.group(1)), 'p50': lat['50'], 'p99': lat['99'], 'errors': '; '.join(errors)}


def bench_load(args, scratch, procs, out):
    """Starts the servers, checks and warms the pages, loads each page of
    each server in turn, into OUT as it goes (paths, servers, statuses,
    results, notes); peak RSS is read at the end, even after a failure."""
    notes, servers = out['notes'], {}
    out.update(paths=[], servers=[], statuses={}, results={}, rss={})
    try:
        servers['publ-rs'] = publ = start_publ(args, scratch, procs)
        pages = canonical_pages(publ[1], PAGES)
        for asked, (path, status, _, _) in pages.items():
            if path != asked:
                notes.append(f'{asked} redirects to {path} on publ-rs; measured at {path}')
            if status != 200:
                notes.append(f'publ-rs answers {path} with {status}')
        out['paths'] = paths = [path for path, _, _, _ in pages.values()]
        if not args.skip_oracle:
            servers['oracle'] = start_oracle(args, scratch, procs, {publ[1]})
        static = {path: (ctype, body) for path, _, ctype, body in pages.values()}
        servers['nginx'] = start_nginx(args, scratch, procs, static, {port for _, port in servers.values()})
        out['servers'] = list(servers)
        check_pages(args, servers, pages, out)
        for path in paths:
            for name, (proc, port) in servers.items():
                log(f'wrk {args.duration}s: {name} {path}')
                if proc.poll() is not None:
                    raise RuntimeError(f'{name} exited (status {proc.returncode})\n' + log_tail(proc.log_path))
                out['results'][path, name] = run_wrk(args, port, path)
    finally:
        for name, (proc, _) in servers.items():
            if proc.poll() is None:
                out['rss'][name] = peak_rss_kib(proc.pid)
            else:
                notes.append(f'{name} exited during the run (status {proc.returncode})')


def check_pages(args, servers, pages, out):
    """Warms every server on every page, then records each one's status and
    size, with a note where a status is not publ-rs's."""
    expected = {path: status for path, status, _, _ in pages.values()}
    for name, (_, port) in servers.items():
        warm(port, out['paths'], args.warm)
        for path in out['paths']:
            status, _, body = http_get(port, path)
            out['statuses'][name, path] = status, len(body)
            if status != expected[path]:
                out['notes'].append(f'{name} answers {path} with {status} (publ-rs: {expected[path]})')


# -------------------------------------------------------------------- report

def mib(kib):
    return f'{kib / 1024:.1f} MiB'


def verdict(ok):
    return 'PASS' if ok else 'FAIL'


def report_index(args, idx, checks):
    print(f'## Index: synthetic site ({args.entries} entries, {args.categories} categories; '
          f'generated in {idx.get("gen_s", 0):.1f} s)\n')
    print('| run | wall time | CPU time | peak RSS |')
    print('| --- | ---: | ---: | ---: |')
    if 'index_ready_cold' in idx:
        print(f'| `publ reindex`, first index: index committed and ready to serve | '
              f'{idx["index_ready_cold"]:.2f} s | | |')
    for key, label in (('reindex_cold', '`publ reindex`, first index, until an ID is written back into every file'),
                       ('reindex_warm', '`publ reindex`, warm (fingerprints unchanged)'),
                       ('reindex_cold_ids', '`publ reindex`, cold (no index, files carry their IDs)'),
                       ('serve_cold', '`publ serve` until accepting, cold'),
                       ('serve_warm', '`publ serve` until accepting, warm')):
        if key in idx:
            secs, cpu, rss = idx[key]
            print(f'| {label} | {secs:.2f} s | {cpu:.2f} s | {mib(rss)} |')
    if idx.get('serve_writeback_cold') is not None:
        print(f'| `publ serve` cold: IDs written back into every file, after accepting | '
              f'{idx["serve_writeback_cold"]:.2f} s more | | |')
    for phase in ('cold', 'warm'):
        if f'first_home_{phase}' in idx:
            secs, status = idx[f'first_home_{phase}']
            print(f'| first `/` after the {phase} start (status {status}) | {secs * 1000:.0f} ms | | |')
    print()
    ready = {key: idx[key][0] for key in ('reindex_cold_ids',) if key in idx}
    if 'index_ready_cold' in idx:
        ready['index_ready_cold'] = idx['index_ready_cold']
    for key, what in (('reindex_cold_ids', 'cold index'),
                      ('index_ready_cold', 'first index (IDs assigned, written back afterwards)')):
        if key in ready:
            secs = ready[key]
            checks.append((f'{what} of the {args.entries}-entry site under {TARGETS["cold_index_s"]:.0f} s '
                           f'({secs:.2f} s)', secs < TARGETS['cold_index_s']))


def report_load(args, load, checks):
    paths, results, servers = load['paths'], load['results'], load['servers']
    print(f'## Load: publ-site, wrk -t{args.threads} -c{args.connections} -d{args.duration}s, loopback\n')
    print('| page | server | status | bytes | req/s | p50 | p99 | errors |')
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |')
    for path in paths:
        for name in servers:
            if (path, name) not in results:
                continue
            r, (status, size) = results[path, name], load['statuses'][name, path]
            print(f'| `{path}` | {name} | {status} | {size} | {r["rps"]:.0f} | {r["p50"]:.2f} ms | '
                  f'{r["p99"]:.2f} ms | {r["errors"] or "-"} |')
    print()

    print('| page | publ-rs/oracle (target >= 20x) | publ-rs/nginx (target >= 0.5) | publ-rs p99 (target < 5 ms) |')
    print('| --- | ---: | ---: | ---: |')
    for path in paths:
        if (path, 'publ-rs') not in results:
            continue
        ours = results[path, 'publ-rs']
        cells = []
        for other, target in (('oracle', TARGETS['oracle_ratio']), ('nginx', TARGETS['nginx_ratio'])):
            if (path, other) not in results:
                cells.append('-')
                continue
            ratio = ours['rps'] / results[path, other]['rps'] if results[path, other]['rps'] else float('inf')
            cells.append(f'{ratio:.3g}x {verdict(ratio >= target)}')
            checks.append((f'`{path}`: publ-rs/{other} req/s {ratio:.3g}x >= {target:g}x', ratio >= target))
        p99_ok = ours['p99'] < TARGETS['p99_ms']
        cells.append(f'{ours["p99"]:.2f} ms {verdict(p99_ok)}')
        checks.append((f'`{path}`: publ-rs p99 {ours["p99"]:.2f} ms < {TARGETS["p99_ms"]:g} ms', p99_ok))
        print(f'| `{path}` | ' + ' | '.join(cells) + ' |')
    print()

    print('| server | peak RSS (sum of VmHWM) | processes |')
    print('| --- | ---: | ---: |')
    for name, (kib, count) in load['rss'].items():
        print(f'| {name} | {mib(kib)} | {count} |')
    print()
    if 'publ-rs' in load['rss'] and load['rss'].get('oracle', (0,))[0]:
        ratio = load['rss']['publ-rs'][0] / load['rss']['oracle'][0]
        checks.append((f'publ-rs RSS {ratio:.3f} of the oracle\'s (< {TARGETS["rss_ratio"]:g})',
                       ratio < TARGETS['rss_ratio']))


def report(args, idx, load):
    checks = []
    print(f'\n# publ-rs benchmark: {os.path.basename(args.publ)} ({args.publ}), {os.cpu_count()} cores, '
          f'load average {args.load_before:.2f} before the run\n')
    if len(idx) > 1:
        report_index(args, idx, checks)
    if load.get('results'):
        report_load(args, load, checks)
    notes = idx['notes'] + load['notes']
    if notes:
        print('## Notes\n')
        print('\n'.join(f'- {note}' for note in notes) + '\n')
    print('## Targets\n')
    for text, ok in checks:
        print(f'- {verdict(ok)}: {text}')
    if not checks:
        print('- none checked: the run stopped before the first measurement')
    passed = sum(ok for _, ok in checks)
    print(f'\n{passed} of {len(checks)} targets met')


# ---------------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--publ', default=os.path.join(REPO, 'target', 'release', 'publ'),
                    help='the publ-rs binary, a release build (default %(default)s)')
    ap.add_argument('--venv', default='/work/oracle/v', help='venv with publ==0.8.19, gunicorn, Flask-Caching')
    ap.add_argument('--site', default=os.path.join(os.path.dirname(REPO), 'shared', 'sites', 'publ-site'),
                    help='publ-site, never written to: each server gets a copy (default %(default)s)')
    ap.add_argument('--config', default=os.path.join(REPO, 'sites', 'publ-site.toml'),
                    help='publ-rs config of the site, also translated for the oracle (default %(default)s)')
    ap.add_argument('--duration', type=int, default=15, help='wrk seconds per page and server')
    ap.add_argument('--connections', type=int, default=16, help='wrk connections')
    ap.add_argument('--threads', type=int, default=2, help='wrk threads')
    ap.add_argument('--warm', type=int, default=20, help='warm-up requests per page and server')
    ap.add_argument('--entries', type=int, default=10000, help='entries of the synthetic site')
    ap.add_argument('--categories', type=int, default=50, help='categories of the synthetic site')
    ap.add_argument('--timeout', type=float, default=600, help='seconds to wait for a server to be ready')
    ap.add_argument('--skip-oracle', action='store_true', help='no Python Publ (no venv needed)')
    ap.add_argument('--skip-gen', action='store_true', help='no synthetic site: skip the index part')
    ap.add_argument('--skip-load', action='store_true', help='no load test: only the index part')
    ap.add_argument('--keep', action='store_true', help='keep the scratch folder (logs, site copies)')
    args = ap.parse_args()
    for name in ('publ', 'venv', 'site', 'config'):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def check_prerequisites(args):
    """Exits with status 2 and the install commands if a tool is missing."""
    args.wrk = shutil.which('wrk')
    args.nginx = shutil.which('nginx') or ('/usr/sbin/nginx' if os.access('/usr/sbin/nginx', os.X_OK) else None)
    missing = []
    if not os.access(args.publ, os.X_OK):
        missing.append(f'the publ-rs binary {args.publ}: cargo build --release -p publ-cli (or --publ BIN)')
    if not args.skip_load:
        if not args.wrk:
            missing.append(f'wrk: {INSTALL_HELP["wrk"]}')
        if not args.nginx:
            missing.append(f'nginx: {INSTALL_HELP["nginx"]}')
        if not args.skip_oracle and not os.access(os.path.join(args.venv, 'bin', 'gunicorn'), os.X_OK):
            missing.append(f'the oracle venv {args.venv} (or --skip-oracle): {INSTALL_HELP["venv"]}')
        if not os.path.isdir(args.site):
            missing.append(f'the site {args.site} (--site)')
        if not os.path.isfile(args.config):
            missing.append(f'the config {args.config} (--config)')
    if missing:
        print('load: missing prerequisites:\n' + '\n'.join(f'  - {m}' for m in missing), file=sys.stderr)
        sys.exit(2)


def on_sigterm(signum, frame):
    """SIGTERM unwinds like Ctrl-C, through main's cleanup."""
    raise KeyboardInterrupt


def main():
    args = parse_args()
    check_prerequisites(args)
    args.load_before = os.getloadavg()[0]  # other work on the machine skews every number
    signal.signal(signal.SIGTERM, on_sigterm)
    scratch = tempfile.mkdtemp(prefix='publ-bench-')
    procs = Processes()
    log(f'scratch folder {scratch}')
    idx, load = {'notes': []}, {'notes': []}  # filled as measured: a failure keeps the rest
    status = 0  # whatever the numbers; 1 if the harness itself failed, 130 if interrupted
    try:
        if not args.skip_gen:
            bench_index(args, scratch, procs, idx)
        if not args.skip_load:
            bench_load(args, scratch, procs, load)
    except (RuntimeError, OSError, subprocess.SubprocessError) as err:
        log(f'failed: {err}')
        status = 1
    except KeyboardInterrupt:
        log('interrupted')
        status = 130
    finally:
        procs.stop_all()
        if args.keep:
            log(f'kept {scratch}')
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    report(args, idx, load)
    return status


if __name__ == '__main__':
    sys.exit(main())
