"""One JSON error shape for the whole API: {"error": {"code", "message", "details"}}."""

from django.http import JsonResponse
from rest_framework.views import exception_handler


def error_response(*, status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": details or {}}}, status=status
    )


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(data, dict) and set(data) == {"detail"}:
        message, details = str(data["detail"]), {}
        code = getattr(data["detail"], "code", code)
    else:
        message, details = "The request has invalid fields.", data
    response.data = {"error": {"code": code, "message": message, "details": details}}
    return response
