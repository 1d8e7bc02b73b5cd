"""One exception handler, so every API endpoint refuses in the same shape and in Chinese.

The body is ``{"detail": <message>}``, plus ``"errors": {field: [messages]}`` on a 400 and
``"state": <current state code>`` on a 409. The HTTP status says which kind of refusal it is.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from workflows.services.errors import ActionError


def _drf_message(exc: exceptions.APIException, request) -> str:
    """Our own Chinese wording for DRF's refusals, whose details may carry English parser text."""
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("请先登录或提供有效的令牌")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("令牌无效或账号已停用，请提供有效的令牌")
    if isinstance(exc, exceptions.PermissionDenied):
        if str(exc.detail).startswith("CSRF Failed"):
            return _("CSRF 校验失败，请刷新页面后重试")
        return _("您无权执行此操作")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("该地址不支持 %(method)s 请求") % {"method": getattr(request, "method", "")}
    if isinstance(exc, exceptions.ParseError):
        return _("请求内容无法解析，请提交有效的 JSON 或表单数据")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("不支持的请求内容类型“%(type)s”") % {"type": (getattr(request, "content_type", "") or "")[:100]}
    if isinstance(exc, exceptions.NotAcceptable):
        return _("无法以请求的格式返回结果")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait:
            return _("请求过于频繁，请在 %(wait)d 秒后重试") % {"wait": exc.wait}
        return _("请求过于频繁，请稍后重试")
    if isinstance(exc, exceptions.ValidationError):
        return _("提交的数据有误")
    if isinstance(exc, exceptions.NotFound):
        detail = str(exc.detail)
        # DRF's stock "Not found." (from get_object_or_404 and the router) says nothing useful.
        return _("请求的对象不存在") if detail in ("Not found.", str(exceptions.NotFound.default_detail)) else detail
    return str(exc.detail)


def field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail to ``{"field" or "field.0": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(m) for m in messages if str(m)]} if messages else {}


def _action_response(exc: ActionError) -> Response:
    data: dict = {"detail": exc.message}
    if exc.status == status.HTTP_400_BAD_REQUEST:
        data["errors"] = {field: [str(m) for m in messages] for field, messages in exc.fields.items()}
    if exc.status == status.HTTP_409_CONFLICT and getattr(exc, "state", None):
        data["state"] = exc.state
    return Response(data, status=exc.status)


def api_exception_handler(exc, context):
    """Answer every refusal as ``{"detail", ["errors"], ["state"]}`` with the matching status."""
    if isinstance(exc, ActionError):
        set_rollback()
        return _action_response(exc)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": _("请求内容过大")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return Response({"detail": _("请求中的字段或文件过多")}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    # DRF's handler sets the WWW-Authenticate and Retry-After headers and rolls back.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data: dict = {"detail": _drf_message(exc, context.get("request"))}
    if isinstance(exc, exceptions.ValidationError):
        data["errors"] = field_errors(exc.detail)
    response.data = data
    return response
