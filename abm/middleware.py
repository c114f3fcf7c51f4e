from abm import selectors


class WorkspaceMiddleware:
    """Resolve the request's workspace from the user's memberships and the session choice.

    API token authentication (DRF) runs later and overrides both with the token's workspace.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = selectors.membership_for_request(request)
        request.membership = membership
        request.workspace = membership.workspace if membership else None
        return self.get_response(request)


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies before anything reads them, in the API's error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                from abm.api_errors import error_response

                return error_response(
                    status=413,
                    code="payload_too_large",
                    message=f"Request body of {length} bytes exceeds the limit of {settings.API_MAX_BODY_BYTES} bytes.",
                )
        return self.get_response(request)
