# How long each FUSE request of a command took, from the kernel sending it to the server's reply,
# by the kernel's own fuse_request_send and fuse_request_end events (tracefs): per operation, and
# in all by latency band, with the time nothing was outstanding (the caller's own work and the
# kernel's). A server's tail shows here as it does to the caller: untarring 25,000 files on a
# demo mount, shmr's requests under 50 us took 4.8-5.7 s in all against mergerfs' 7.3 s, and those
# over 200 us 4.3-6.9 s against 0.05 s (its serving thread busy with its own background work).
#
# Root only; one command at a time on the machine's FUSE mounts (the events are every mount's).
# Usage: python3 fuseLatencies.py [--keep FILE] -- COMMAND [ARG...]
import collections, os, re, subprocess, sys

TRACING = '/sys/kernel/tracing'
EVENT = re.compile(r'\s(\d+\.\d+): fuse_request_(send|end): connection (\d+) req (\d+)(?: opcode \d+ \((\w+)\))?')
BANDS = [(0, 50e-6), (50e-6, 200e-6), (200e-6, 1e-3), (1e-3, 5e-3), (5e-3, float('inf'))]


def write(name, value):
    with open(os.path.join(TRACING, name), 'w') as f:
        f.write(value)


def capture(command):
    mounted = os.path.isdir(os.path.join(TRACING, 'events', 'fuse'))
    if not mounted:
        subprocess.run(['mount', '-t', 'tracefs', 'nodev', TRACING], check=True)
    try:
        with open(os.path.join(TRACING, 'buffer_size_kb')) as f:
            buffer_kb = f.read().split()[0]
        try:
            write('trace', '')
            # Two events per request: an untar of 25,000 files sends ~300,000 requests.
            write('buffer_size_kb', '200000')
            write('events/fuse/enable', '1')
            try:
                status = subprocess.run(command).returncode
            finally:
                write('events/fuse/enable', '0')
            with open(os.path.join(TRACING, 'trace')) as f:
                return status, f.read()
        finally:
            # The kernel keeps the buffer's memory, on every CPU, until it is sized down.
            write('trace', '')
            write('buffer_size_kb', buffer_kb)
    finally:
        if not mounted:
            subprocess.run(['umount', TRACING], check=True)


def report(text):
    sent, latencies, events = {}, collections.defaultdict(list), []
    for line in text.splitlines():
        match = EVENT.search(line)
        if not match:
            continue
        at, kind, key = float(match.group(1)), match.group(2), (match.group(3), match.group(4))
        if kind == 'send':
            sent[key] = (at, match.group(5))
            events.append((at, 1))
        elif key in sent:
            start, op = sent.pop(key)
            latencies[op].append(at - start)
            events.append((at, -1))
    if not events:
        print('no FUSE requests')
        return
    print(f"{'operation':22s} {'requests':>9s} {'mean us':>9s} {'p50 us':>8s} {'p90 us':>8s} {'sum s':>7s}")
    for op, values in sorted(latencies.items(), key=lambda item: -sum(item[1])):
        values.sort()
        print(f'{op:22s} {len(values):9d} {1e6 * sum(values) / len(values):9.1f} {1e6 * values[len(values) // 2]:8.1f} '
              f'{1e6 * values[int(len(values) * 0.9)]:8.1f} {sum(values):7.2f}')
    every = [value for values in latencies.values() for value in values]
    for low, high in BANDS:
        band = [value for value in every if low <= value < high]
        label = f'{low * 1e6:.0f} us and over' if high == float('inf') else f'{low * 1e6:.0f}-{high * 1e6:.0f} us'
        print(f'{label:22s} {len(band):9d} requests, {sum(band):7.2f} s')
    events.sort()
    outstanding, idle, last = 0, 0.0, events[0][0]
    for at, step in events:
        if outstanding == 0:
            idle += at - last
        outstanding += step
        last = at
    print(f'all requests {sum(every):.2f} s over {events[-1][0] - events[0][0]:.2f} s; none outstanding {idle:.2f} s')


def main(argv):
    keep = None
    if argv[:1] == ['--keep']:
        keep, argv = argv[1], argv[2:]
    if argv[:1] != ['--'] or len(argv) < 2:
        sys.exit('usage: python3 fuseLatencies.py [--keep FILE] -- COMMAND [ARG...]')
    status, text = capture(argv[1:])
    if keep:
        with open(keep, 'w') as f:
            f.write(text)
    report(text)
    sys.exit(status)


main(sys.argv[1:])
