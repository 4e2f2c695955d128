#!/usr/bin/python3
"""Reproducible MIME corpus for the parse benchmark.

  gen-mime-corpus.py OUTDIR [--size-mb 200] [--seed 1]
      Generates realistic .eml files (CRLF): mostly multipart/alternative text+HTML, some
      multipart/mixed with base64 attachments of 10 KB..2 MB (PDF/PNG/XLSX-like random bytes),
      encoded-word headers (B and Q) in many charsets, quoted-printable and format=flowed bodies,
      From/To/Cc/Date/Message-ID/In-Reply-To/References.  Same seed and size: byte-identical output.

  gen-mime-corpus.py OUTDIR --count N [--max-attachment-kb K] [--seed 1]
      The same mail, exactly N messages, attachments capped at K KB (a mailbox for the IMAP benchmark).

  gen-mime-corpus.py OUTDIR --repeat-dir DIR [--size-mb 200]
      Copies the message files under DIR (recursively: *.eml, *.msg, msg_*.txt) into OUTDIR again
      and again until about SIZE MB, so a small real-world corpus weighs as much as the generated one.

OUTDIR is emptied of earlier generated files first.  A file OUTDIR/.complete records the parameters
when the run finished, so callers can reuse a corpus that matches.
"""
import argparse
import base64
import datetime
import os
import quopri
import random
import shutil
import sys

CRLF = b"\r\n"

# Sample text per charset: (charset, language words).  Words are joined at random into subjects,
# display names and bodies, then encoded in the charset.
LANGUAGES = {
    "en": "meeting invoice quarterly report please review attached the proposal budget update schedule "
          "project client delivery contract renewal thanks regards follow up call next week order "
          "shipment payment reminder account status team agenda draft final summary".split(),
    "fr": "réunion facture trimestriel rapport veuillez vérifier pièce jointe proposition budget "
          "mise à jour échéancier projet client livraison contrat renouvellement merci cordialement "
          "été déjà reçu commande".split(),
    "de": "Besprechung Rechnung Quartalsbericht bitte prüfen Anhang Angebot Budget Aktualisierung "
          "Zeitplan Kunde Lieferung Vertrag Verlängerung danke Grüße Größe Straße übermorgen".split(),
    "hu": "értekezlet számla negyedéves jelentés kérem ellenőrizze melléklet ajánlat költségvetés "
          "ütemezés ügyfél szállítás szerződés köszönöm üdvözlettel hűséges őszi".split(),
    "pl": "spotkanie faktura raport kwartalny proszę sprawdzić załącznik oferta budżet harmonogram "
          "klient dostawa umowa dziękuję pozdrawiam źródło żółw łódź".split(),
    "el": "συνάντηση τιμολόγιο τριμηνιαία αναφορά παρακαλώ ελέγξτε συνημμένο πρόταση προϋπολογισμός "
          "ενημέρωση πρόγραμμα πελάτης παράδοση σύμβαση ευχαριστώ χαιρετισμούς".split(),
    "ru": "встреча счёт квартальный отчёт пожалуйста проверьте вложение предложение бюджет обновление "
          "график проект клиент поставка договор продление спасибо с уважением".split(),
    "fa": "جلسه فاکتور گزارش فصلی لطفا بررسی کنید پیوست پیشنهاد بودجه بروزرسانی برنامه پروژه مشتری "
          "تحویل قرارداد تمدید متشکرم با احترام".split(),
    "zh": "会议 发票 季度 报告 请 查看 附件 提案 预算 更新 日程 项目 客户 交付 合同 续约 谢谢 此致 敬礼".split(),
    "tw": "會議 發票 季度 報告 請 查看 附件 提案 預算 更新 日程 項目 客戶 交付 合約 續約 謝謝 此致 敬禮".split(),
    "ja": "会議 請求書 四半期 報告書 ご確認 ください 添付 提案 予算 更新 日程 顧客 納品 契約 ありがとう ございます "
          "よろしく お願い します".split(),
    "ko": "회의 송장 분기 보고서 확인 부탁드립니다 첨부 제안 예산 업데이트 일정 프로젝트 고객 납품 계약 갱신 감사합니다".split(),
}

# charset -> language; weights favour UTF-8 and Latin-1 as in real mailboxes.
CHARSETS = [
    ("utf-8", "en", 18), ("utf-8", "ru", 3), ("utf-8", "zh", 2), ("utf-8", "el", 1), ("utf-8", "ja", 1),
    ("iso-8859-1", "fr", 5), ("iso-8859-1", "de", 4), ("iso-8859-2", "hu", 2), ("iso-8859-2", "pl", 2),
    ("iso-8859-7", "el", 2), ("windows-1253", "el", 1), ("windows-1251", "ru", 3), ("koi8-r", "ru", 2),
    ("windows-1256", "fa", 2), ("gb2312", "zh", 2), ("gbk", "zh", 2), ("big5", "tw", 2),
    ("shift_jis", "ja", 2), ("iso-2022-jp", "ja", 3), ("euc-kr", "ko", 2), ("us-ascii", "en", 8),
]
CJK = {"zh", "tw", "ja", "ko"}
# windows-1256 has the Arabic yeh and kaf, not the Persian code points: write Persian as cp1256 mail does.
LANGUAGES["fa"] = [w.replace("\u06cc", "\u064a").replace("\u06a9", "\u0643") for w in LANGUAGES["fa"]]
for _cs, _lang, _ in CHARSETS:  # fail at start, not in the middle of a 200 MB run
    for _w in LANGUAGES[_lang]:
        _w.encode(_cs)

FIRST = "Alice Bob Carol David Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert Sybil " \
        "Trent Victor Walter Zoé Jürgen Łukasz Søren Ágnes".split()
LAST = "Smith Jones Müller García Rossi Dubois Nowak Kovács Papadopoulos Ivanov Chen Wang Tanaka Kim " \
       "Novak Horváth Schmidt Martin Bernard Silva".split()
ASCII_FIRST = [n for n in FIRST if n.isascii()]
ASCII_LAST = [n for n in LAST if n.isascii()]
DOMAINS = "example.com example.org example.net mail.example.co.uk corp.example.de shop.example.fr " \
          "example.ru example.cn example.jp example.kr".split()

ATTACHMENT_KINDS = [
    ("application/pdf", "pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", b"PK\x03\x04\x14\x00\x06\x00"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
]


class Generator:
    def __init__(self, seed, max_attachment=2_000_000):
        self.rng = random.Random(seed)
        self.max_attachment = max_attachment
        self.weights = [w for _, _, w in CHARSETS]
        self.sent = []  # earlier Message-IDs, for References chains
        self.start = datetime.datetime(2024, 1, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)

    # ------------------------------------------------------------------ text
    def charset(self):
        cs, lang, _ = self.rng.choices(CHARSETS, self.weights)[0]
        return cs, lang

    def words(self, lang, lo, hi):
        n = self.rng.randint(lo, hi)
        vocab = LANGUAGES[lang]
        sep = "" if lang in {"zh", "tw", "ja"} else " "
        return sep.join(self.rng.choice(vocab) for _ in range(n))

    def paragraph(self, lang):
        sentences = []
        for _ in range(self.rng.randint(2, 6)):
            s = self.words(lang, 6, 18)
            sentences.append(s[:1].upper() + s[1:] + ("。" if lang in CJK else "."))
        return ("" if lang in CJK else " ").join(sentences)

    def encoded_word(self, text, charset):
        """RFC 2047 encoded-words, split so each stays under 75 characters and no character is cut."""
        if charset == "us-ascii":
            return text
        mode = self.rng.choice("BQ") if charset != "iso-2022-jp" else "B"
        words, chunk = [], ""
        for ch in text:
            candidate = chunk + ch
            if len(self._encode_chunk(candidate, charset, mode)) > 75 and chunk:
                words.append(self._encode_chunk(chunk, charset, mode))
                chunk = ch
            else:
                chunk = candidate
        if chunk:
            words.append(self._encode_chunk(chunk, charset, mode))
        return "\r\n ".join(words)

    @staticmethod
    def _encode_chunk(text, charset, mode):
        raw = text.encode(charset)
        if mode == "B":
            payload = base64.b64encode(raw).decode("ascii")
        else:
            out = []
            for byte in raw:
                c = chr(byte)
                if c == " ":
                    out.append("_")
                elif c.isalnum() and byte < 128:
                    out.append(c)
                else:
                    out.append("=%02X" % byte)
            payload = "".join(out)
        return "=?%s?%s?%s?=" % (charset, mode, payload)

    def mailbox(self):
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        addr = "%s.%s@%s" % (first.lower(), last.lower(), self.rng.choice(DOMAINS))
        addr = addr.encode("ascii", "ignore").decode()
        name = "%s %s" % (first, last)
        roll = self.rng.random()
        if roll < 0.15:
            return addr
        if roll < 0.35 or not name.isascii():
            cs, lang = self.charset()
            if cs == "us-ascii":
                cs = "utf-8"
            try:
                name.encode(cs)
            except UnicodeEncodeError:
                cs = "utf-8"
            return "%s <%s>" % (self.encoded_word(name, cs), addr)
        if roll < 0.45:
            return '"%s, %s" <%s>' % (last, first, addr)
        return "%s <%s>" % (name, addr)

    def address_list(self, lo, hi):
        return ",\r\n ".join(self.mailbox() for _ in range(self.rng.randint(lo, hi)))

    # ------------------------------------------------------------------ bodies
    def text_body(self, lang, flowed):
        paragraphs = [self.paragraph(lang) for _ in range(self.rng.randint(1, 8))]
        if self.rng.random() < 0.4:  # a quoted earlier message
            quoted = self.paragraph(lang)
            paragraphs.append("> " + quoted)
        lines = []
        for p in paragraphs:
            lines.extend(self.wrap(p, 72 if lang not in CJK else 36, flowed))
            lines.append("")
        lines.append("-- ")
        # ASCII names only: the signature must be encodable in every charset of the list.
        lines.append("%s %s" % (self.rng.choice(ASCII_FIRST), self.rng.choice(ASCII_LAST)))
        return "\r\n".join(lines) + "\r\n"

    @staticmethod
    def wrap(text, width, flowed):
        if " " not in text:  # CJK: cut by characters
            return [text[i:i + width] for i in range(0, len(text), width)] or [""]
        out, line = [], ""
        for word in text.split(" "):
            if line and len(line) + 1 + len(word) > width:
                out.append(line + (" " if flowed else ""))  # soft break: trailing space (RFC 3676)
                line = word
            else:
                line = word if not line else line + " " + word
        out.append(line)
        return out

    def html_body(self, text):
        """HTML as mail clients and mailing tools write it: table layout, inline styles, a footer."""
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        style = ("margin:0 0 12px 0;padding:0;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,"
                 "sans-serif;font-size:14px;line-height:1.5;color:#202124")
        paras = "".join("<tr><td style=\"padding:0 24px\"><p style=\"%s\">%s</p></td></tr>\r\n"
                        % (style, p.replace("\r\n", "<br>\r\n")) for p in esc.split("\r\n\r\n") if p.strip())
        footer = ("<tr><td style=\"padding:16px 24px;border-top:1px solid #dadce0;font-size:12px;color:#5f6368\">"
                  "<a href=\"https://www.example.com/unsubscribe?u=%x&amp;id=%x\" style=\"color:#1a73e8\">"
                  "Unsubscribe</a> &middot; <a href=\"https://www.example.com/privacy\" style=\"color:#1a73e8\">"
                  "Privacy</a></td></tr>\r\n" % (self.rng.getrandbits(64), self.rng.getrandbits(32)))
        return ("<!DOCTYPE html>\r\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
                "charset=utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\r\n<style type=\"text/css\">"
                "body{margin:0;padding:0}table{border-collapse:collapse}a{text-decoration:none}"
                "@media only screen and (max-width:600px){.container{width:100%% !important}}</style></head>\r\n"
                "<body style=\"margin:0;padding:0;background-color:#f1f3f4\"><center>\r\n<table class=\"container\" "
                "role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
                "style=\"width:600px;background-color:#ffffff\">\r\n%s%s</table></center></body></html>\r\n"
                % (paras, footer))

    def encode_text(self, text, charset, prefer_qp):
        """Returns (content-transfer-encoding, encoded bytes with CRLF)."""
        raw = text.encode(charset)
        if charset == "iso-2022-jp":
            return "7bit", raw
        if charset == "us-ascii" and max(len(l) for l in text.split("\r\n")) <= 76:
            return "7bit", raw
        roll = self.rng.random()
        if prefer_qp or roll < 0.55:
            qp = quopri.encodestring(raw.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
            return "quoted-printable", qp
        if roll < 0.8:
            return "base64", self.b64(raw)
        return "8bit", raw

    @staticmethod
    def b64(data):
        return base64.encodebytes(data).replace(b"\n", b"\r\n")

    def boundary(self):
        return "----=_Part_%d_%d.%d" % (self.rng.randint(1, 99999), self.rng.randint(10**8, 10**9),
                                          self.rng.randint(10**12, 10**13))

    def text_part(self, body, charset, subtype, flowed=False, prefer_qp=False):
        cte, data = self.encode_text(body, charset, prefer_qp)
        ct = "text/%s; charset=\"%s\"" % (subtype, charset)
        if flowed:
            ct += "; format=flowed"
        return ("Content-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n" % (ct, cte)).encode() + data

    def attachment(self):
        mime, ext, magic = self.rng.choice(ATTACHMENT_KINDS)
        # Log-uniform 10 KB .. 2 MB: many small, few large, as in real mail.
        size = int(10_000 * (200 ** self.rng.random()))
        size = min(size, self.max_attachment)
        data = magic + self.rng.randbytes(max(0, size - len(magic)))
        cs, lang = self.charset()
        stem = self.words(lang, 1, 3).replace(" ", "_")
        filename = "%s.%s" % (stem, ext)
        if filename.isascii():
            name_params = 'name="%s"' % filename, 'filename="%s"' % filename
        elif self.rng.random() < 0.5:  # RFC 2231
            enc = "utf-8''" + "".join(c if c.isalnum() and c.isascii() else "%%%02X" % b
                                      for c in filename for b in c.encode("utf-8"))
            name_params = "name*=%s" % enc, "filename*=%s" % enc
        else:  # encoded-word in a quoted parameter: common in practice although RFC 2047 forbids it
            ew = self.encoded_word(filename, "utf-8").replace("\r\n ", "")
            name_params = 'name="%s"' % ew, 'filename="%s"' % ew
        head = ("Content-Type: %s;\r\n %s\r\nContent-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment;\r\n %s\r\n\r\n" % (mime, name_params[0], name_params[1]))
        return head.encode() + self.b64(data)

    @staticmethod
    def multipart(subtype, boundary, parts):
        out = [("Content-Type: multipart/%s;\r\n boundary=\"%s\"\r\n\r\n" % (subtype, boundary)).encode()]
        out.append(b"This is a multi-part message in MIME format.\r\n")
        for p in parts:
            out.append(("\r\n--%s\r\n" % boundary).encode())
            out.append(p)
        out.append(("\r\n--%s--\r\n" % boundary).encode())
        return b"".join(out)

    # ------------------------------------------------------------------ message
    def message(self, index):
        rng = self.rng
        cs, lang = self.charset()
        date = self.start + datetime.timedelta(seconds=index * 173 + rng.randint(0, 170))
        tz = datetime.timezone(datetime.timedelta(hours=rng.choice([-8, -5, 0, 1, 2, 3, 8, 9])))
        msgid = "<%d.%x.%d@%s>" % (int(date.timestamp()), rng.getrandbits(48), index, rng.choice(DOMAINS))
        subject = self.words(lang, 3, 10)
        headers = [
            "Return-Path: <bounce-%d@%s>" % (index, rng.choice(DOMAINS)),
            "Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\r\n\tby mail.example.com (Postfix) with ESMTPS id %X"
            "\r\n\tfor <inbox@example.com>; %s" % (rng.randint(1, 9), rng.choice(DOMAINS), rng.randint(1, 9),
                                                 rng.choice(DOMAINS), rng.randint(1, 254), rng.getrandbits(40),
                                                 date.astimezone(tz).strftime("%a, %d %b %Y %H:%M:%S %z")),
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=sel1;\r\n\th=from:to:subject:date;"
            " bh=%s;\r\n\tb=%s" % (rng.choice(DOMAINS), base64.b64encode(rng.randbytes(32)).decode(),
                                   base64.b64encode(rng.randbytes(128)).decode()),
            "From: %s" % self.mailbox(),
            "To: %s" % self.address_list(1, 4),
        ]
        if rng.random() < 0.4:
            headers.append("Cc: %s" % self.address_list(1, 6))
        subject_header = self.encoded_word(subject, cs) if cs != "us-ascii" else subject
        if self.sent and rng.random() < 0.35:
            refs = rng.sample(self.sent[-50:], min(len(self.sent[-50:]), rng.randint(1, 6)))
            headers.append("Subject: Re: %s" % subject_header)
            headers.append("In-Reply-To: %s" % refs[-1])
            headers.append("References: %s" % "\r\n ".join(refs))
        else:
            headers.append("Subject: %s" % subject_header)
        headers.append("Date: %s" % date.astimezone(tz).strftime("%a, %d %b %Y %H:%M:%S %z"))
        headers.append("Message-ID: %s" % msgid)
        headers.append("MIME-Version: 1.0")
        self.sent.append(msgid)

        text = self.text_body(lang, flowed=False)
        roll = rng.random()
        if roll < 0.12:  # plain text only, format=flowed
            flowed_text = self.text_body(lang, flowed=True)
            body = self.text_part(flowed_text, cs, "plain", flowed=True)
        else:
            alt = self.multipart("alternative", self.boundary(), [
                self.text_part(text, cs, "plain", prefer_qp=rng.random() < 0.5),
                self.text_part(self.html_body(text), "utf-8", "html", prefer_qp=True),
            ])
            if roll < 0.90:
                body = alt
            else:  # multipart/mixed with attachments
                atts = [self.attachment() for _ in range(rng.choice([1, 1, 1, 1, 2, 2, 3]))]
                body = self.multipart("mixed", self.boundary(), [alt] + atts)
        return "\r\n".join(headers).encode("ascii") + b"\r\n" + body


def clean(outdir):
    os.makedirs(outdir, exist_ok=True)
    for entry in os.scandir(outdir):
        if entry.is_file() and (entry.name.endswith(".eml") or entry.name == ".complete"):
            os.unlink(entry.path)
        elif entry.is_dir() and entry.name.startswith("r"):
            shutil.rmtree(entry.path)


def generate(outdir, size_mb, seed, max_count=None, max_attachment_kb=2000):
    gen = Generator(seed, max_attachment_kb * 1000)
    target = size_mb * 1_000_000
    total = count = 0
    while (count < max_count) if max_count else (total < target):
        data = gen.message(count)
        count += 1
        with open(os.path.join(outdir, "gen-%06d.eml" % count), "wb") as f:
            f.write(data)
        total += len(data)
    return count, total


def is_message_file(name):
    return name.endswith((".eml", ".msg")) or (name.startswith("msg_") and name.endswith(".txt"))


def repeat(outdir, source, size_mb):
    files = []
    for root, dirs, names in os.walk(source):
        dirs.sort()
        for name in sorted(names):
            if is_message_file(name):
                files.append(os.path.join(root, name))
    if not files:
        sys.exit("gen-mime-corpus: no message files (*.eml, *.msg, msg_*.txt) under %s" % source)
    contents = []
    for path in files:
        with open(path, "rb") as f:
            contents.append((os.path.relpath(path, source).replace(os.sep, "_"), f.read()))
    one_pass = sum(len(c) for _, c in contents)
    target = size_mb * 1_000_000
    total = count = passes = 0
    while total < target:
        passes += 1
        sub = os.path.join(outdir, "r%04d" % passes)
        os.makedirs(sub)
        for name, data in contents:
            with open(os.path.join(sub, name), "wb") as f:
                f.write(data)
            total += len(data)
            count += 1
    return count, total, passes, len(files), one_pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, help="generate exactly this many messages (--size-mb is ignored)")
    ap.add_argument("--max-attachment-kb", type=int, default=2000, help="cap attachment sizes (default 2000)")
    ap.add_argument("--repeat-dir", help="copy the message files of this directory instead of generating")
    args = ap.parse_args()
    clean(args.outdir)
    if args.repeat_dir:
        count, total, passes, distinct, one_pass = repeat(args.outdir, args.repeat_dir, args.size_mb)
        stamp = "mode=repeat source=%s size_mb=%d" % (os.path.abspath(args.repeat_dir), args.size_mb)
        summary = "repeated %d message files (%d bytes per pass) %d times" % (distinct, one_pass, passes)
    else:
        count, total = generate(args.outdir, args.size_mb, args.seed, args.count, args.max_attachment_kb)
        if args.count:
            stamp = "mode=generate seed=%d count=%d max_attachment_kb=%d" % (
                args.seed, args.count, args.max_attachment_kb)
        else:
            stamp = "mode=generate seed=%d size_mb=%d" % (args.seed, args.size_mb)
            if args.max_attachment_kb != 2000:
                stamp += " max_attachment_kb=%d" % args.max_attachment_kb
        summary = "generated"
    with open(os.path.join(args.outdir, ".complete"), "w") as f:
        f.write("%s messages=%d bytes=%d\n" % (stamp, count, total))
    print("gen-mime-corpus: %s: %d messages, %.1f MB in %s" % (summary, count, total / 1e6, args.outdir),
          file=sys.stderr)


if __name__ == "__main__":
    main()
