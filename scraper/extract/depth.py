"""A guard run before the HTML parser: markup nested absurdly deep is refused, not parsed.

HTML parsers take quadratic time in the nesting depth of some elements: lexbor needs seconds for
20,000 unclosed `<div>`, and a 2.4 MB page of them took minutes. Real pages nest a few dozen
levels. The estimate below is linear and errs on the deep side: it counts every start tag that
can hold others, and lets an end tag close only an element of its own name that is open.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
# Elements that never hold a nested element: void elements, and those that the next sibling of
# the same kind closes (an unclosed <p> or <li> does not nest).
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rp", "rt",
})


def too_deep(html: str, limit: int) -> bool:
    """Whether the elements of `html` may nest more than `limit` levels deep."""
    if html.count("<") <= limit:
        return False  # too few tags to get there: no scan
    open_by_name: dict[str, int] = {}
    depth = 0
    for match in _TAG.finditer(html):
        name = match[2].lower()
        if name in _FLAT:
            continue
        if not match[1]:
            open_by_name[name] = open_by_name.get(name, 0) + 1
            depth += 1
            if depth > limit:
                return True
        elif open_by_name.get(name):
            open_by_name[name] -= 1
            depth -= 1
    return False
