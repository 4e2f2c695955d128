#!/usr/bin/python3
"""Python imaplib reference for `touchpoint-bench imap-fetch`.

  imaplib-fetch.py --host H --port P --user U --password-file F --ca-file CA [--folder INBOX] [--batch 1000]

Over implicit TLS: LOGIN, EXAMINE the folder, then per batch of 1,000 UIDs
  UID FETCH a:b (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])
  UID FETCH a:b (BODY.PEEK[1]<0.16384>)        (the first part, at most 16 KiB: the text part in
                                                 single-part and multipart/alternative mail)
With --headers-only the second FETCH is left out.  Prints one logfmt line:
  bench=imap-fetch impl=python-imaplib messages=N bytes=B seconds=S msgs_per_s=X cpu_seconds=C
(bytes counts the payload received: headers, BODYSTRUCTURE text and partial bodies).
"""
import argparse
import imaplib
import resource
import ssl
import sys
import time


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def payload_bytes(data):
    total = 0
    for item in data:
        if isinstance(item, tuple):
            total += sum(len(x) for x in item)
        elif item is not None:
            total += len(item)
    return total


def check(typ, data, what):
    if typ != "OK":
        sys.exit("imaplib-fetch: %s failed: %s %r" % (what, typ, data[:1]))
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--ca-file", required=True)
    ap.add_argument("--folder", default="INBOX")
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--headers-only", action="store_true",
                    help="only the first FETCH (no text part): what the server serves from its cache alone")
    args = ap.parse_args()
    with open(args.password_file) as f:
        password = f.read().rstrip("\r\n")
    imaplib._MAXLINE = 10_000_000  # BODYSTRUCTURE lines of large multiparts exceed the 1 MB default

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    context = ssl.create_default_context(cafile=args.ca_file)
    imap = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=context)
    check(*imap.login(args.user, password), "LOGIN")
    exists = int(check(*imap.select(args.folder, readonly=True), "EXAMINE")[0])
    uids = []
    if exists:
        data = check(*imap.uid("SEARCH", None, "ALL"), "UID SEARCH")
        uids = [int(u) for u in data[0].split()]
    messages = received = 0
    for start in range(0, len(uids), args.batch):
        chunk = uids[start:start + args.batch]
        uid_set = "%d:%d" % (chunk[0], chunk[-1])
        data = check(*imap.uid("FETCH", uid_set,
                               "(UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])"), "UID FETCH headers")
        received += payload_bytes(data)
        messages += sum(1 for item in data if isinstance(item, tuple))
        if not args.headers_only:
            data = check(*imap.uid("FETCH", uid_set, "(BODY.PEEK[1]<0.16384>)"), "UID FETCH text")
            received += payload_bytes(data)
    imap.logout()
    seconds = time.perf_counter() - t0
    print("bench=imap-fetch impl=python-imaplib%s messages=%d bytes=%d seconds=%.3f msgs_per_s=%.0f cpu_seconds=%.2f"
          % ("-headers" if args.headers_only else "", messages, received, seconds, messages / seconds if seconds else 0, cpu_seconds() - cpu0))


if __name__ == "__main__":
    main()
