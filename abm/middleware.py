from django.utils.functional import SimpleLazyObject

from abm import selectors


class WorkspaceMiddleware:
    """Resolve the request's workspace from the user's memberships and the session choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: selectors.membership_for_request(request))
        request.workspace = SimpleLazyObject(
            lambda: request.membership.workspace if request.membership else None
        )
        return self.get_response(request)
