"""A local server speaking the documented protocols of the three image generators (OpenAI
Images, Stability AI's v2beta Stable Image, fal.ai's queue API), for adapter tests.

Faithful to what each service documents: the paths, the auth header each expects, the
request's shape (JSON, or multipart for Stability), the sizes and aspect ratios each accepts,
the success bodies (base64 or URL, raw bytes with ``finish-reason``, queued → in progress →
completed), and the error bodies (OpenAI ``{"error": {…}}`` with its content-policy codes,
Stability ``{"name", "errors"}`` with a 403 ``content_moderation``, fal ``{"detail"}``). A
prompt containing ``FORBIDDEN`` is refused as each service refuses it. Faults are injected by
queuing :class:`tests.httpserver.Reply` objects (429 with ``Retry-After``, 500, delays).
Storage URLs (OpenAI's ``url``, fal's ``images[].url``) refuse requests that carry a key.
"""

from __future__ import annotations

import base64
import io
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from PIL import Image

from tests.httpserver import HTTPTestServer, Recorded, Reply

KEY = "sk-test-image-key-123456"
OPENAI_SIZES = {
    "gpt-image-1": {"1024x1024", "1536x1024", "1024x1536", "auto"},
    "dall-e-3": {"1024x1024", "1792x1024", "1024x1792"},
}
STABILITY_RATIOS = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "21:9": (1536, 640),
    "9:21": (640, 1536),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
}


def picture(width: int, height: int, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, format=fmt)
    return buffer.getvalue()


def form_fields(recorded: Recorded) -> dict[str, str]:
    """The fields of a multipart/form-data body."""
    raw = recorded.body if isinstance(recorded.body, bytes) else b""
    head = f"Content-Type: {recorded.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload.decode()
    return fields


class ImageServer(HTTPTestServer):
    """``with ImageServer() as server: … server.base_url …`` — all three protocols."""

    def __init__(self, *, fal_waits: int = 2) -> None:
        super().__init__(self._answer)
        self.fal_waits = fal_waits  # status polls answered IN_QUEUE / IN_PROGRESS first
        self._polls: dict[str, int] = {}
        self._fal: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}

    # -- routing ----------------------------------------------------------------------------

    def _answer(self, request: Recorded) -> Reply:
        path = request.path.split("?")[0]
        if path.startswith("/files/"):
            if "authorization" in request.headers:
                return Reply(400, "storage URLs take no credentials")
            data = self.files.get(path.removeprefix("/files/"))
            return Reply(200, data) if data is not None else Reply(404, "no such file")
        if path == "/v1/images/generations" and request.method == "POST":
            return self._openai(request)
        if path.startswith("/v2beta/stable-image/generate/") and request.method == "POST":
            return self._stability(request, path.rsplit("/", 1)[1])
        return self._fal_route(request, path)

    # -- OpenAI Images ----------------------------------------------------------------------

    def _openai(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            given = request.headers.get("authorization", "").removeprefix("Bearer ")
            return Reply(401, {"error": {
                "message": f"Incorrect API key provided: {given}. You can find your API key "
                "at https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error", "param": None, "code": "invalid_api_key",
            }})  # fmt: skip
        body = request.body if isinstance(request.body, dict) else {}
        model = body.get("model", "dall-e-2")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return _openai_invalid("prompt", "Missing required parameter: 'prompt'.")
        if model not in OPENAI_SIZES:
            return _openai_invalid("model", f"Invalid value for 'model' = {model}.")
        size = body.get("size", "1024x1024")
        if size not in OPENAI_SIZES[model]:
            return _openai_invalid("size", f"Invalid value: '{size}'. Supported values are: "
                                   + ", ".join(sorted(OPENAI_SIZES[model])))  # fmt: skip
        if model == "gpt-image-1" and "response_format" in body:
            return _openai_invalid("response_format", "Unknown parameter: 'response_format'.")
        if "FORBIDDEN" in prompt:
            code = "moderation_blocked" if model == "gpt-image-1" else "content_policy_violation"
            return Reply(400, {"error": {
                "message": "Your request was rejected as a result of our safety system.",
                "type": "image_generation_user_error", "param": None, "code": code,
            }})  # fmt: skip
        width, height = (int(v) for v in str(size).replace("auto", "1024x1024").split("x"))
        data = picture(width, height)
        if model == "gpt-image-1":
            return Reply(200, {
                "created": 1713833628,
                "data": [{"b64_json": base64.b64encode(data).decode()}],
                "usage": {"total_tokens": 4260, "input_tokens": 50, "output_tokens": 4210,
                          "input_tokens_details": {"text_tokens": 50, "image_tokens": 0}},
            })  # fmt: skip
        item: dict[str, str] = {"revised_prompt": f"A detailed picture: {prompt}"}
        if body.get("response_format", "url") == "b64_json":
            item["b64_json"] = base64.b64encode(data).decode()
        else:
            name = f"openai-{len(self.files)}.png"
            self.files[name] = data
            item["url"] = f"{self.base_url}/files/{name}"
        return Reply(200, {"created": 1713833628, "data": [item]})

    # -- Stability AI -----------------------------------------------------------------------

    def _stability(self, request: Recorded, endpoint: str) -> Reply:
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return Reply(
                401,
                {
                    "id": "e1",
                    "name": "unauthorized",
                    "errors": ["authorization: invalid or missing API key"],
                },
            )
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _stability_bad("content-type must be multipart/form-data")
        accept = request.headers.get("accept", "")
        if accept not in ("image/*", "application/json"):
            return _stability_bad("accept: must be image/* or application/json")
        if endpoint not in ("core", "ultra", "sd3"):
            return Reply(404, {"id": "e3", "name": "not_found", "errors": ["no such endpoint"]})
        fields = form_fields(request)
        prompt = fields.get("prompt", "")
        if not prompt:
            return _stability_bad("prompt: cannot be empty")
        ratio = fields.get("aspect_ratio", "1:1")
        if ratio not in STABILITY_RATIOS:
            return _stability_bad(f"aspect_ratio: must be one of {', '.join(STABILITY_RATIOS)}")
        fmt = fields.get("output_format", "png")
        if fmt not in ("png", "jpeg", "webp"):
            return _stability_bad("output_format: must be png, jpeg or webp")
        if "FORBIDDEN" in prompt:
            return Reply(403, {"id": "e4", "name": "content_moderation", "errors": [
                "Your request was flagged by our content moderation system, as a result your "
                "request was denied and you were not charged."]})  # fmt: skip
        width, height = STABILITY_RATIOS[ratio]
        data = picture(width, height, "JPEG" if fmt == "jpeg" else "PNG")
        finish = "CONTENT_FILTERED" if "BLURRED" in prompt else "SUCCESS"
        if accept == "application/json":
            return Reply(200, {"image": base64.b64encode(data).decode(),
                               "finish_reason": finish, "seed": 343940597})  # fmt: skip
        return Reply(200, data, headers={"finish-reason": finish, "seed": "343940597"})

    # -- fal.ai queue -----------------------------------------------------------------------

    def _fal_route(self, request: Recorded, path: str) -> Reply:
        if request.headers.get("authorization") != f"Key {KEY}":
            return Reply(401, {"detail": "Authentication is required to access this resource"})
        parts = path.strip("/").split("/")
        if request.method == "POST" and parts[:2] == ["fal-ai", "flux"]:
            return self._fal_submit(request, "/".join(parts))
        if request.method == "GET" and "requests" in parts:
            at = parts.index("requests")
            app, request_id, rest = "/".join(parts[:at]), parts[at + 1], parts[at + 2 :]
            job = self._fal.get(request_id)
            if job is None or app != "fal-ai/flux":  # the app id, without the sub-path
                return Reply(404, {"detail": "Request not found"})
            if rest == ["status"]:
                return self._fal_status(request_id)
            if not rest:
                return self._fal_result(request_id, job)
        return Reply(404, {"detail": "Not Found"})

    def _fal_submit(self, request: Recorded, model: str) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        if model not in ("fal-ai/flux/schnell", "fal-ai/flux/dev"):
            return Reply(404, {"detail": f"Application '{model}' not found"})
        size = body.get("image_size")
        prompt = body.get("prompt")
        problems = []
        if not isinstance(prompt, str) or not prompt:
            problems.append({"loc": ["body", "prompt"], "msg": "field required",
                             "type": "value_error.missing"})  # fmt: skip
        if not (isinstance(size, dict) and all(
            isinstance(size.get(k), int) and 0 < size[k] <= 14142 for k in ("width", "height")
        )) and size not in ("square_hd", "square", "portrait_4_3", "portrait_16_9",
                            "landscape_4_3", "landscape_16_9"):  # fmt: skip
            problems.append({"loc": ["body", "image_size"], "msg": "invalid image size",
                             "type": "value_error"})  # fmt: skip
        if problems:
            return Reply(422, {"detail": problems})
        request_id = f"req-{len(self._fal) + 1:04d}"
        self._fal[request_id] = body
        self._polls[request_id] = 0
        base = f"{self.base_url}/fal-ai/flux/requests/{request_id}"
        return Reply(200, {
            "request_id": request_id, "response_url": base, "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel", "status": "IN_QUEUE", "queue_position": 0,
        })  # fmt: skip

    def _fal_status(self, request_id: str) -> Reply:
        polls = self._polls[request_id] = self._polls[request_id] + 1
        if polls <= self.fal_waits:
            if polls == 1:
                return Reply(202, {"status": "IN_QUEUE", "queue_position": 0,
                                   "response_url": f"…/{request_id}"})  # fmt: skip
            return Reply(202, {"status": "IN_PROGRESS", "logs": []})
        return Reply(200, {"status": "COMPLETED", "logs": [], "metrics": {"inference_time": 0.4}})

    def _fal_result(self, request_id: str, job: dict[str, Any]) -> Reply:
        if self._polls[request_id] <= self.fal_waits:
            return Reply(400, {"detail": "Request is still in progress"})
        size = job["image_size"]
        width, height = (size["width"], size["height"]) if isinstance(size, dict) else (576, 1024)
        name = f"{request_id}.jpeg"
        self.files[name] = picture(width, height, "JPEG")
        flagged = "FORBIDDEN" in job["prompt"]
        return Reply(200, {
            "images": [{"url": f"{self.base_url}/files/{name}", "width": width,
                        "height": height, "content_type": "image/jpeg"}],
            "timings": {"inference": 0.4}, "seed": 42,
            "has_nsfw_concepts": [flagged], "prompt": job["prompt"],
        })  # fmt: skip


def _openai_invalid(param: str, message: str) -> Reply:
    return Reply(400, {"error": {"message": message, "type": "invalid_request_error",
                                 "param": param, "code": "invalid_value"}})  # fmt: skip


def _stability_bad(message: str) -> Reply:
    return Reply(400, {"id": "e2", "name": "bad_request", "errors": [message]})
