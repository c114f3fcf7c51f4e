"""The product's URLs plus one page still served by the shared placeholder, for its tests."""

from django.urls import path

from abm.urls import urlpatterns as product_urlpatterns
from abm.views import placeholder


def coming_soon(request):
    return placeholder(
        request,
        heading="Coming soon",
        message="Not built yet: this section arrives in a later release.",
        cta_url="/imports/",
        cta_label="Import data",
    )


urlpatterns = [path("coming-soon/", coming_soon), *product_urlpatterns]
