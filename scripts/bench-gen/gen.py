#!/usr/bin/env python3
"""Generate the benchmark's data: one calendar and one address book in a vdir tree.

    gen.py OUT [--events N] [--contacts M] [--seed S]

writes OUT/calendars/personal/<uid>.ics (N events) and OUT/contacts/default/<uid>.vcf
(M contacts), each collection with a displayname and a color file. The same arguments
give the same bytes.

The items look like what khal, Thunderbird and phones write, because that is what makes a
sync slow or fast: events that are timed, all-day, floating or in a VTIMEZONE; recurring
ones with an EXDATE and an overridden instance (RECURRENCE-ID) in the same file; alarms,
attendees, long descriptions folded over several lines, non-ASCII summaries. Contacts are
vCard 3.0 and 4.0 with several TEL, EMAIL and ADR, and some carry a photo of a few KB.

Every line ends in CRLF and is folded at 75 octets (never inside a UTF-8 sequence). UIDs
use only [A-Za-z0-9.-], so both pimsync and vdirsyncer name the copies exactly like the
originals and the benchmark can compare the two sides with diff -r.
"""
import argparse
import base64
import datetime as dt
import os
import random

PRODID = "-//pimsync//bench-gen//EN"
ANCHOR = dt.datetime(2026, 1, 5)  # a Monday; every date is relative to it
DTSTAMP = "20260101T090000Z"

BERLIN = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]

SUMMARIES = [
    "Team stand-up", "Sprint planning", "1:1 with {name}", "Lunch with {name}",
    "Zahnarzt", "Café mit {name}", "Réunion d'équipe", "Встреча с клиентом", "週次定例会議",
    "🎉 Geburtstag von {name}", "Yoga", "Flight to {city}", "Elternabend", "Code review; API",
    "Workshop: iCalendar & vCard", "Dinner at \"Zur Post\"", "Retro ☕", "Board meeting",
    "Piano lesson", "Trip to {city} ✈",
]
FIRST = ["Anna", "Jürgen", "Zoë", "François", "Søren", "Łukasz", "Siobhán", "Hiroshi",
         "Priya", "Mateo", "Олга", "Kwame", "Inès", "Björn", "Mei", "Noah", "Fatima", "José"]
LAST = ["Müller", "García", "O'Brien", "Nguyen", "Kowalski", "van der Berg", "Öztürk",
        "Tanaka", "Petrov", "Okafor", "Lindqvist", "Dubois", "Silva", "Patel", "Weber"]
CITIES = [("Berlin", "10115", "Germany", "+49"), ("Paris", "75001", "France", "+33"),
          ("Kraków", "30-001", "Poland", "+48"), ("São Paulo", "01000-000", "Brazil", "+55"),
          ("Tokyo", "100-0001", "Japan", "+81"), ("New York", "10001", "USA", "+1")]
STREETS = ["Hauptstraße", "Rue de Rivoli", "Baker Street", "Nørregade", "Rua Augusta"]
ORGS = ["Example GmbH", "ACME Corp.", "Müller & Söhne KG", "Globex, Inc.", "Initech"]
DOMAINS = ["example.com", "example.org", "mail.example.de"]
SENTENCES = [
    "Please bring the printed agenda, your laptop and the figures from last quarter.",
    "Bitte pünktlich sein: der Raum ist nur bis zur vollen Stunde gebucht.",
    "Dial-in +1 555 0100, PIN 1234#; the video link is in the invitation.",
    "Nous discuterons du budget, des risques et des prochaines étapes.",
    "Parking is behind the building, entrance B; ask at the reception for a badge.",
    "議事録は共有フォルダに保存してください。",
    "Follow-ups from last time: migration plan, on-call rota, hiring.",
]


def esc(text):
    """Escape a TEXT value (RFC 5545 3.3.11, RFC 6350 3.4)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """Fold one content line at 75 octets, never splitting a UTF-8 sequence."""
    out, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            out.append(cur)
            cur, limit = b"", 74  # a continuation line starts with a space
        cur += b
    out.append(cur)
    return b"\r\n ".join(out)


def render(lines):
    return b"".join(fold(line) + b"\r\n" for line in lines)


def utc(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def local(t):
    return t.strftime("%Y%m%dT%H%M%S")


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.uids = set()

    def uid(self):
        """A new UUID-like UID; a quarter of them upper-case, as Apple devices write them."""
        while True:
            h = "%032x" % self.r.getrandbits(128)
            u = "-".join((h[:8], h[8:12], h[12:16], h[16:20], h[20:]))
            if self.r.random() < 0.25:
                u = u.upper()
            if u not in self.uids:
                self.uids.add(u)
                return u

    def name(self):
        return "%s %s" % (self.r.choice(FIRST), self.r.choice(LAST))

    def email(self):
        local_part = "".join(c for c in self.name().lower() if c.isascii() and c.isalnum())
        return "%s%d@%s" % (local_part or "x", self.r.randrange(100), self.r.choice(DOMAINS))

    def summary(self):
        return self.r.choice(SUMMARIES).format(name=self.name(), city=self.r.choice(CITIES)[0])

    # ------------------------------------------------------------------ iCalendar

    def event(self, uid):
        r = self.r
        start = ANCHOR + dt.timedelta(days=r.randrange(-365, 365), hours=r.randint(7, 19),
                                      minutes=r.choice([0, 15, 30, 45]))
        dur = dt.timedelta(minutes=r.choice([15, 30, 60, 60, 90, 120]))
        summary = self.summary()
        ev = ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + DTSTAMP,
              "CREATED:" + utc(ANCHOR - dt.timedelta(days=r.randrange(30, 700)))]
        extra, tz = [], False
        kind = r.random()
        if kind < 0.12:  # all-day, a few of them yearly (birthdays, anniversaries)
            day = start.date()
            ev += ["DTSTART;VALUE=DATE:" + day.strftime("%Y%m%d"),
                   "DTEND;VALUE=DATE:" + (day + dt.timedelta(days=r.choice([1, 1, 2, 5]))).strftime("%Y%m%d"),
                   "TRANSP:TRANSPARENT"]
            if r.random() < 0.3:
                ev.append("RRULE:FREQ=YEARLY")
        elif kind < 0.30:  # recurring in Europe/Berlin, with an exception and an override
            tz = True
            count = r.randint(8, 40)
            ev += ["DTSTART;TZID=Europe/Berlin:" + local(start),
                   "DTEND;TZID=Europe/Berlin:" + local(start + dur),
                   "RRULE:FREQ=WEEKLY;BYDAY=%s;COUNT=%d" % (
                       ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][start.weekday()], count)]
            skipped, moved = r.sample(range(1, count), 2)
            if r.random() < 0.5:
                ev.append("EXDATE;TZID=Europe/Berlin:" + local(start + dt.timedelta(weeks=skipped)))
            rid = start + dt.timedelta(weeks=moved)
            new = rid + dt.timedelta(hours=r.choice([-1, 1, 2]))
            extra = ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + DTSTAMP,
                     "RECURRENCE-ID;TZID=Europe/Berlin:" + local(rid),
                     "DTSTART;TZID=Europe/Berlin:" + local(new),
                     "DTEND;TZID=Europe/Berlin:" + local(new + dur),
                     "SUMMARY:" + esc(summary + " (moved)"), "SEQUENCE:1", "END:VEVENT"]
        elif kind < 0.40:  # in a time zone, once
            tz = True
            ev += ["DTSTART;TZID=Europe/Berlin:" + local(start),
                   "DTEND;TZID=Europe/Berlin:" + local(start + dur)]
        elif kind < 0.45:  # floating: "9:00 wherever I am"
            ev += ["DTSTART:" + local(start), "DTEND:" + local(start + dur)]
        else:
            ev.append("DTSTART:" + utc(start))
            ev.append("DURATION:PT%dM" % (dur.seconds // 60) if r.random() < 0.3
                      else "DTEND:" + utc(start + dur))
        ev.append("SUMMARY:" + esc(summary))
        if r.random() < 0.2:  # a long description: several folded lines
            ev.append("DESCRIPTION:" + esc("\n".join(r.choices(SENTENCES, k=r.randint(4, 10)))))
        elif r.random() < 0.4:
            ev.append("DESCRIPTION:" + esc(r.choice(SENTENCES)))
        if r.random() < 0.4:
            ev.append("LOCATION:" + esc(r.choice(["Room 4.12", "Online", "Café Central, Wien",
                                                  "HQ; Building B", "Berlin Hbf"])))
        if r.random() < 0.2:
            ev.append('ORGANIZER;CN="%s":mailto:%s' % (self.name(), self.email()))
            for _ in range(r.randint(1, 5)):
                ev.append('ATTENDEE;CN="%s";ROLE=REQ-PARTICIPANT;PARTSTAT=%s;RSVP=TRUE:mailto:%s' % (
                    self.name(), r.choice(["ACCEPTED", "NEEDS-ACTION", "TENTATIVE"]), self.email()))
        if r.random() < 0.3:
            ev += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                   "TRIGGER:-PT%dM" % r.choice([5, 10, 15, 30]), "END:VALARM"]
        ev.append("END:VEVENT")
        cal = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + PRODID, "CALSCALE:GREGORIAN"]
        return render(cal + (BERLIN if tz else []) + ev + extra + ["END:VCALENDAR"])

    # ------------------------------------------------------------------ vCard

    def contact(self, uid):
        r = self.r
        v4 = r.random() < 0.5
        first, last = r.choice(FIRST), r.choice(LAST)
        card = ["BEGIN:VCARD", "VERSION:" + ("4.0" if v4 else "3.0"), "PRODID:" + PRODID,
                "UID:" + uid, "FN:" + esc(first + " " + last),
                "N:%s;%s;;;" % (esc(last), esc(first))]
        if v4:
            card.append("KIND:individual")
        for i in range(r.randint(1, 3)):
            kind = ["work", "home", "other"][i]
            card.append(("EMAIL;TYPE=%s" % kind) + (";PREF=1" if v4 and i == 0 else "") + ":" + self.email())
        for i in range(r.randint(1, 3)):
            cc = r.choice(CITIES)[3]
            number = "%s %d %d" % (cc, r.randrange(100, 999), r.randrange(1000000, 9999999))
            kind = ["cell", "work", "home"][i]
            if v4:
                card.append('TEL;VALUE=uri;TYPE="%s,voice":tel:%s' % (kind, number.replace(" ", "-")))
            else:
                card.append("TEL;TYPE=%s,VOICE:%s" % (kind.upper(), number))
        for kind in r.sample(["home", "work"], r.randint(1, 2)):
            city, code, country, _ = r.choice(CITIES)
            street = "%s %d" % (r.choice(STREETS), r.randrange(1, 200))
            card.append("ADR;TYPE=%s:;;%s;%s;;%s;%s" % (
                kind if v4 else kind.upper(), esc(street), esc(city), esc(code), esc(country)))
        if r.random() < 0.6:
            card += ["ORG:" + esc(r.choice(ORGS)), "TITLE:" + esc(r.choice(["CTO", "Engineer", "Designer"]))]
        if r.random() < 0.5:
            card.append("BDAY:%04d%02d%02d" % (r.randrange(1950, 2010), r.randrange(1, 13), r.randrange(1, 29)))
        if r.random() < 0.2:
            card.append("NOTE:" + esc(" ".join(r.choices(SENTENCES, k=r.randint(1, 3)))))
        if r.random() < 0.15:  # a photo of 2-6 KB, the way phones attach them
            jpeg = b"\xff\xd8\xff\xe0" + r.randbytes(r.randrange(2048, 6144)) + b"\xff\xd9"
            data = base64.b64encode(jpeg).decode()
            card.append("PHOTO:data:image/jpeg;base64," + data if v4
                        else "PHOTO;ENCODING=b;TYPE=JPEG:" + data)
        card += ["REV:" + utc(ANCHOR - dt.timedelta(minutes=r.randrange(10**6))), "END:VCARD"]
        return render(card)


def collection(path, displayname, color):
    os.makedirs(path)
    for name, value in (("displayname", displayname), ("color", color)):
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(value)
    return path


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--contacts", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    g = Gen(a.seed)
    cal = collection(os.path.join(a.out, "calendars", "personal"), "Personal", "#3A87AD")
    for _ in range(a.events):
        uid = g.uid()
        write(os.path.join(cal, uid + ".ics"), g.event(uid))
    book = collection(os.path.join(a.out, "contacts", "default"), "Contacts", "#2E86C1")
    for _ in range(a.contacts):
        uid = g.uid()
        write(os.path.join(book, uid + ".vcf"), g.contact(uid))


if __name__ == "__main__":
    main()
