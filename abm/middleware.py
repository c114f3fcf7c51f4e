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
            # CRM exports are uploaded whole; their own limit is checked before any parsing.
            is_upload = request.path.rstrip("/") == "/api/v1/imports"
            limit = settings.IMPORT_MAX_FILE_BYTES if is_upload else settings.API_MAX_BODY_BYTES
            if length > limit:
                from abm.api_errors import error_response

                return error_response(
                    status=413,
                    code="payload_too_large",
                    message=f"Request body of {length} bytes exceeds the limit of {limit} bytes.",
                )
        return self.get_response(request)


class DropMalformedSessionCookieMiddleware:
    """A session key is lowercase letters and digits; anything else (a NUL, say) is ignored
    instead of reaching the database, where PostgreSQL would reject it with a server error."""

    def __init__(self, get_response):
        import re

        from django.conf import settings

        self.cookie_name = settings.SESSION_COOKIE_NAME
        self.valid = re.compile(r"^[a-z0-9]{8,64}$")
        self.get_response = get_response

    def __call__(self, request):
        value = request.COOKIES.get(self.cookie_name)
        if value is not None and not self.valid.match(value):
            del request.COOKIES[self.cookie_name]
        return self.get_response(request)
