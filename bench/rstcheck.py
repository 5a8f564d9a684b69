#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils and print its warnings and
errors, one a line: "FILE:LINE: LEVEL: message".  The kernel's documents
use Sphinx and its own extensions; their directives and roles are taken
as opaque here, so what is checked is the reStructuredText itself (markup,
sections, tables, lists, literal blocks, references within the file).
Usage: rstcheck.py FILE..."""
import sys

import docutils.core
import docutils.nodes
import docutils.utils
from docutils.parsers.rst import Directive, directives, roles


class Opaque(Directive):
    """A directive that is not docutils' own: its content is not checked."""
    has_content = True
    optional_arguments = 100
    final_argument_whitespace = True
    option_spec = None

    def run(self):
        return []


class AnyOptions(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return directives.unchanged


Opaque.option_spec = AnyOptions()

_directive = directives.directive
_role = roles.role


def directive(name, language, document):
    cls, messages = _directive(name, language, document)
    return (cls or Opaque), ([] if cls is None else messages)


def opaque_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [docutils.nodes.literal(rawtext, text)], []


def role(name, language, lineno, reporter):
    fn, messages = _role(name, language, lineno, reporter)
    return (fn or opaque_role), ([] if fn is None else messages)


directives.directive = directive
roles.role = role

LEVELS = {2: 'WARNING', 3: 'ERROR', 4: 'SEVERE'}


def main():
    n = 0
    for path in sys.argv[1:]:
        src = open(path, encoding='utf-8').read()
        doc = docutils.core.publish_doctree(
            src, source_path=path,
            settings_overrides={'report_level': 5, 'halt_level': 5,
                                'file_insertion_enabled': False,
                                'raw_enabled': False})
        for msg in doc.traverse(docutils.nodes.system_message):
            if msg['level'] < 2:
                continue
            text = msg.children[0].astext() if msg.children else msg.astext()
            print('%s:%s: %s: %s' % (path, msg.get('line', '?'), LEVELS[msg['level']], text))
            n += 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
