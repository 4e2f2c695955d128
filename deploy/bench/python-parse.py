#!/usr/bin/python3
"""Python `email` reference for `touchpoint-bench parse`.

  python-parse.py [--repeat N] FILE_OR_DIR...

Reads every file (directories recursively, sorted, dot files skipped) into memory first, then times only
the parsing with the standard library (policy=default): decode the subject and the From/To/Cc address
lists, get_body() for the plain and the HTML text (decoded to str), iter_attachments() for each
attachment's filename and content type without decoding it.  Prints one logfmt line:
  bench=parse impl=python-email messages=N bytes=B seconds=S mb_per_s=X msgs_per_s=Y peak_rss_mb=M
  parse_cpu_seconds=C …   (C: CPU time of the same pass, a steadier figure on a shared machine)
"""
import argparse
import email.parser
import email.policy
import os
import resource
import sys
import time


def read_corpus(paths):
    corpus = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        with open(os.path.join(root, name), "rb") as f:
                            corpus.append(f.read())
        else:
            with open(path, "rb") as f:
                corpus.append(f.read())
    return corpus


def visit(message, stats):
    for name in ("subject",):
        value = message[name]
        if value is not None:
            stats["chars"] += len(str(value))
    for name in ("from", "to", "cc"):
        header = message[name]
        if header is not None:
            for address in getattr(header, "addresses", ()):
                stats["chars"] += len(address.display_name) + len(address.addr_spec)
    for preference in (("plain",), ("html",)):
        body = message.get_body(preferencelist=preference)
        if body is not None:
            stats["text_parts"] += 1
            stats["chars"] += len(body.get_content())
    for attachment in message.iter_attachments():
        stats["attachments"] += 1
        stats["chars"] += len(attachment.get_filename() or "") + len(attachment.get_content_type())


def parse_all(corpus, stats):
    parser = email.parser.BytesParser(policy=email.policy.default)
    start, cpu_start = time.perf_counter(), time.process_time()
    for data in corpus:
        try:
            visit(parser.parsebytes(data), stats)
        except Exception:  # the reference keeps going, as a mail client would; failures are counted
            stats["failures"] += 1
    stats["cpu"] = time.process_time() - cpu_start
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="timed passes; the best is printed")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    if not 1 <= args.repeat <= 100:
        ap.error("--repeat takes 1..100")
    corpus = read_corpus(args.paths)
    total = sum(len(d) for d in corpus)
    best, stats = None, None
    for _ in range(args.repeat):
        run = {"chars": 0, "text_parts": 0, "attachments": 0, "failures": 0}
        seconds = parse_all(corpus, run)
        if best is None or seconds < best:
            best, stats = seconds, run
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("bench=parse impl=python-email messages=%d bytes=%d seconds=%.4f mb_per_s=%.1f msgs_per_s=%.0f "
          "peak_rss_mb=%.1f parse_cpu_seconds=%.4f runs=%d text_parts=%d attachments=%d failures=%d"
          % (len(corpus), total, best, total / 1e6 / best, len(corpus) / best, peak, stats["cpu"], args.repeat,
             stats["text_parts"], stats["attachments"], stats["failures"]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
