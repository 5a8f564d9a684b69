#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put the To: and Cc: headers of RECIPIENTS (lines "To: addr", "Cc: addr",
from bench/recipients.sh) into the header of the cover letter COVER, in
place of any it has.  Usage: cover_recipients.py COVER RECIPIENTS"""
import re
import sys

cover, recipients = sys.argv[1], sys.argv[2]
text = open(cover, encoding='utf-8').read()
head, sep, body = text.partition('\n\n')
# Drop old To:/Cc: headers with their continuation lines.
head = re.sub(r'^(To|Cc): .*(\n[ \t].*)*\n?', '', head, flags=re.M).rstrip('\n')
addrs = {'To': [], 'Cc': []}
for line in open(recipients, encoding='utf-8'):
    k, _, v = line.strip().partition(': ')
    if k in addrs and v:
        addrs[k].append(v)
m = re.search(r'^Subject: .*(\n[ \t].*)*', head, flags=re.M)
if not m:
    sys.exit('cover_recipients.py: no Subject: in %s' % cover)
new = ''.join('\n%s: %s' % (k, ',\n    '.join(v)) for k, v in addrs.items() if v)
head = head[:m.end()] + new + head[m.end():]
open(cover, 'w', encoding='utf-8').write(head + sep + body)
