#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Carry the hand-written subject and text of an old cover letter into the
one git format-patch just generated (which has fresh shortlog, diffstat and
base-commit).  Usage: cover.py OLD NEW"""
import re
import sys


def split(text):
    head, _, body = text.partition('\n\n')
    m = re.search(r'^\S.* \(\d+\):$', body, flags=re.M)
    if not m:
        sys.exit('cover.py: no shortlog found in cover letter')
    return head, body[:m.start()], body[m.start():]


old = open(sys.argv[1]).read()
new = open(sys.argv[2]).read()
ohead, otext, _ = split(old)
nhead, _, ntail = split(new)
subj = re.search(r'^Subject: \[[^]]*\] (.*(?:\n .*)*)', ohead, flags=re.M)
if subj:
    nhead = re.sub(r'(^Subject: \[[^]]*\] ).*$', lambda m: m.group(1) + subj.group(1),
                   nhead, count=1, flags=re.M)
open(sys.argv[2], 'w').write(nhead + '\n\n' + otext + ntail)
