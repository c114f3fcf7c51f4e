"""`{% background_work_delayed as delayed %}` for the broker banner in base.html."""

from django import template

from abm.health import background_work_delayed as _delayed

register = template.Library()


@register.simple_tag
def background_work_delayed() -> bool:
    return _delayed()
