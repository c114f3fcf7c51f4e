"""`{% dashboard_cache %}`: Django's `{% cache %}` fragment tag, failing open like the results.

Same arguments as `{% cache expire name vary… %}` (closed by `{% enddashboard_cache %}`); the fragment is kept in the default cache
through `abm.cache_guard`, so a cache outage renders the fragment instead of raising, and
an expiry of 0 (the result cache turned off) renders it without asking the cache at all.
"""

from __future__ import annotations

from django import template
from django.core.cache.utils import make_template_fragment_key

from abm.cache_guard import cache_get, cache_set

register = template.Library()


class GuardedCacheNode(template.Node):
    def __init__(self, nodelist, expire_time_var, fragment_name: str, vary_on: list) -> None:
        self.nodelist = nodelist
        self.expire_time_var = expire_time_var
        self.fragment_name = fragment_name
        self.vary_on = vary_on

    def render(self, context) -> str:
        expire = self.expire_time_var.resolve(context)
        if expire is not None and int(expire) <= 0:
            return self.nodelist.render(context)
        key = make_template_fragment_key(
            self.fragment_name, [var.resolve(context) for var in self.vary_on]
        )
        value = cache_get(key)
        if value is None:
            value = self.nodelist.render(context)
            cache_set(key, value, None if expire is None else int(expire))
        return value


@register.tag("dashboard_cache")
def do_dashboard_cache(parser, token) -> GuardedCacheNode:
    nodelist = parser.parse(("enddashboard_cache",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 3:
        raise template.TemplateSyntaxError(f"{tokens[0]!r} needs an expiry and a fragment name.")
    return GuardedCacheNode(
        nodelist,
        parser.compile_filter(tokens[1]),
        tokens[2],
        [parser.compile_filter(t) for t in tokens[3:]],
    )
