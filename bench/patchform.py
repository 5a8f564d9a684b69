#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the form of a git format-patch series the way a maintainer reads
it: shortlogs with a subsystem prefix, in the imperative, short enough;
changelogs that wrap at 75 columns, without trailing blanks or doubled
empty lines, ending in a Signed-off-by of the author; and a cover letter
with its subject, recipients, shortlog, diffstat and base-commit.

Usage: patchform.py BASE COVER RECIPIENTS PATCH...
BASE is the commit the series applies to, as base-commit must name it.
RECIPIENTS is a file of "To: ..." and "Cc: ..." lines, as
scripts/get_maintainer.pl gives them (bench/recipients.sh).
Prints "pass|fail<TAB>name<TAB>detail" per patch and for the cover letter.
"""
import email
import email.header
import email.policy
import re
import sys

PREFIXES = ('KVM: guest_memfd: ', 'KVM: arm64: ', 'KVM: x86: ', 'KVM: x86/mmu: ',
            'KVM: selftests: ', 'KVM: ', 'maple_tree: ')
# mm's subsystems write the shortlog in lower case ("maple_tree: fix ...").
LOWER_CASE_PREFIXES = ('maple_tree: ',)
# Imperative verbs that end in "s" or "ed" anyway.
NOT_THIRD_PERSON = {'Pass', 'Process', 'Address', 'Access', 'Focus', 'Bias', 'Embed', 'Need'}


def parse(path):
    raw = open(path, encoding='utf-8').read()
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    subject = re.sub(r'\s*\n\s*', ' ', msg['Subject'] or '')
    body = raw.split('\n\n', 1)[1] if '\n\n' in raw else ''
    log, sep, rest = body.partition('\n---\n')
    return msg, subject, log, rest if sep else None


def shortlog(subject):
    return re.sub(r'^\[[^]]*\]\s*', '', subject)


def check_patch(path):
    msg, subject, log, rest = parse(path)
    errs = []
    s = shortlog(subject)
    prefix = next((p for p in PREFIXES if s.startswith(p)), None)
    if prefix is None:
        errs.append('shortlog without a subsystem prefix (%s): %r' % (', '.join(PREFIXES), s))
    else:
        word = s[len(prefix):].split(' ', 1)[0]
        if prefix in LOWER_CASE_PREFIXES:
            if not word[:1].islower():
                errs.append('%sshortlogs start in lower case: %r' % (prefix, word))
        elif not word[:1].isupper():
            errs.append('shortlog does not start with a capital: %r' % word)
        elif word not in NOT_THIRD_PERSON and (word.endswith('ed') or word.endswith('ing') or
                                              (word.endswith('s') and not word.endswith('ss'))):
            errs.append('shortlog not in the imperative: %r' % word)
    if len(s) > 75:
        errs.append('shortlog of %d characters (75 at most)' % len(s))
    if s.endswith('.'):
        errs.append('shortlog ends with a period')
    if rest is None:
        errs.append('no "---" line after the changelog')
    lines = log.split('\n')
    if not log.strip():
        errs.append('empty changelog')
    if lines and lines[0] == '':
        errs.append('changelog starts with an empty line')
    for i, line in enumerate(lines, 1):
        if line != line.rstrip():
            errs.append('changelog line %d ends in blanks' % i)
        # Indented lines are code, commands or output: left as they are.
        if len(line) > 75 and not line.startswith((' ', '\t')) and '://' not in line:
            errs.append('changelog line %d has %d columns (75 at most)' % (i, len(line)))
        if i > 1 and line == '' and lines[i - 2] == '':
            errs.append('changelog line %d: two empty lines in a row' % i)
    if lines and lines[-1] == '':
        errs.append('empty line at the end of the changelog')
    author = str(email.header.make_header(email.header.decode_header(msg['From'] or ''))).strip()
    trailers = [l for l in lines if re.match(r'^[A-Z][a-z-]+: ', l)]
    sob = [l[len('Signed-off-by: '):] for l in trailers if l.startswith('Signed-off-by: ')]
    if not sob:
        errs.append('no Signed-off-by')
    elif author not in sob:
        errs.append('no Signed-off-by of the author %s' % author)
    if lines and not re.match(r'^[A-Z][a-z-]+: ', lines[-1]):
        errs.append('the changelog does not end with its trailers')
    if re.search(r'^Change-Id: ', log, flags=re.M):
        errs.append('Change-Id trailer')
    return errs


def check_cover(path, base, recipients, patches):
    msg, subject, log, _ = parse(path)
    raw = open(path, encoding='utf-8').read()
    errs = []
    if '*** SUBJECT HERE ***' in subject or '*** BLURB HERE ***' in raw:
        errs.append('the cover letter still has the template subject or blurb')
    if not re.search(r'^\[PATCH (v\d+ )?0+/%d\] ' % len(patches), subject):
        errs.append('subject %r is not [PATCH 00/%d]' % (subject, len(patches)))
    want = {}
    for line in open(recipients, encoding='utf-8'):
        k, _, v = line.strip().partition(': ')
        want.setdefault(k, set()).add(v)
    for k in ('To', 'Cc'):
        have = {a.strip() for a in re.split(r',\s*', re.sub(r'\s*\n\s*', ' ', msg[k] or '')) if a.strip()}
        if have != want.get(k, set()):
            errs.append('%s: differs from scripts/get_maintainer.pl (missing %s; extra %s)' % (
                k, sorted(want.get(k, set()) - have) or '-', sorted(have - want.get(k, set())) or '-'))
    for p in patches:
        s = shortlog(parse(p)[1])
        if re.sub(r'\s+', ' ', s) not in re.sub(r'\s+', ' ', raw):
            errs.append('shortlog lacks %r' % s)
    if not re.search(r'^ \d+ files? changed', raw, flags=re.M):
        errs.append('no diffstat')
    if not re.search(r'^base-commit: %s$' % base, raw, flags=re.M):
        errs.append('no base-commit: %s' % base)
    return errs


def main():
    base, cover, recipients, patches = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    bad = 0
    for p in patches:
        errs = check_patch(p)
        name = p.rsplit('/', 1)[-1]
        print('%s\t%s\t%s' % ('fail' if errs else 'pass', name, '; '.join(errs) or 'form ok'))
        bad += bool(errs)
    errs = check_cover(cover, base, recipients, patches)
    print('%s\t%s\t%s' % ('fail' if errs else 'pass', cover.rsplit('/', 1)[-1],
                          '; '.join(errs) or 'subject, recipients, shortlog, diffstat, base-commit ok'))
    return 1 if bad or errs else 0


if __name__ == '__main__':
    sys.exit(main())
