"""The NAV API v3.0 wire format as the simulator speaks it: checks of a request, XML of an answer.

The signature check is written out here on purpose rather than borrowed from the client, so a
mistake in the client's signing shows up as INVALID_REQUEST_SIGNATURE.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from services.invoicing.nav.schema import api_errors

API = "http://schemas.nav.gov.hu/OSA/3.0/api"
COMMON = "http://schemas.nav.gov.hu/NTCA/1.0/common"
NS = {"api": API, "common": COMMON}


class Refused(Exception):
    """The request is refused with funcCode ERROR and this errorCode."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Request:
    root: etree._Element
    request_id: str
    timestamp: datetime
    login: str
    password_hash: str
    signature: str

    def text(self, path: str) -> str | None:
        return self.root.findtext(path, namespaces=NS)


def _sha3(text: str) -> str:
    return hashlib.sha3_512(text.encode()).hexdigest().upper()


def parse_request(body: bytes, root_name: str) -> Request:
    try:
        root = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as error:
        raise Refused("INVALID_REQUEST", f"not well-formed XML: {error}") from error
    if etree.QName(root).localname != root_name or etree.QName(root).namespace != API:
        raise Refused("INVALID_REQUEST", f"expected {root_name}")
    problems = api_errors(body)
    if problems:
        raise Refused("INVALID_REQUEST", f"schema violation: {problems[0]}")
    stamp = root.findtext("common:header/common:timestamp", namespaces=NS)
    return Request(root=root, request_id=root.findtext("common:header/common:requestId", namespaces=NS),
                   timestamp=datetime.fromisoformat(stamp).astimezone(UTC),
                   login=root.findtext("common:user/common:login", namespaces=NS),
                   password_hash=root.findtext("common:user/common:passwordHash", namespaces=NS),
                   signature=root.findtext("common:user/common:requestSignature", namespaces=NS))


def check_user(request: Request, user, now: datetime, operations: list[tuple[str, str]] = ()) -> None:  # noqa: ANN001
    """Password hash, request signature and timestamp of ``request`` for ``user`` (None: unknown login)."""
    if user is None or request.password_hash != hashlib.sha512(user.password.encode()).hexdigest().upper():
        raise Refused("INVALID_SECURITY_USER", "unknown technical user or wrong password", 401)
    if request.text("common:user/common:taxNumber") != user.tax_number:
        raise Refused("INVALID_SECURITY_USER", "the user does not belong to this taxpayer", 401)
    base = request.request_id + request.timestamp.strftime("%Y%m%d%H%M%S") + user.signature_key
    expected = _sha3(base + "".join(_sha3(op + data) for op, data in operations))
    if request.signature != expected:
        raise Refused("INVALID_REQUEST_SIGNATURE", "request signature does not match", 401)
    if abs(now - request.timestamp) > timedelta(days=1):
        raise Refused("INVALID_TIMESTAMP", "request timestamp is more than a day off")


def _el(parent: etree._Element, name: str, text: object | None = None, ns: str = API) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def response(root_name: str, request_id: str, now: datetime, *, func: str = "OK", error_code: str | None = None,
             message: str | None = None) -> etree._Element:
    root = etree.Element(f"{{{API}}}{root_name}", nsmap={None: API, "common": COMMON})
    header = _el(root, "header", ns=COMMON)
    _el(header, "requestId", request_id or "UNKNOWN", COMMON)
    _el(header, "timestamp", stamp(now), COMMON)
    _el(header, "requestVersion", "3.0", COMMON)
    _el(header, "headerVersion", "1.0", COMMON)
    result = _el(root, "result", ns=COMMON)
    _el(result, "funcCode", func, COMMON)
    if error_code:
        _el(result, "errorCode", error_code, COMMON)
    if message:
        _el(result, "message", message[:1024], COMMON)
    software = _el(root, "software")
    for name, value in (("softwareId", "NAVSIMULATOR00POLC"), ("softwareName", "polc NAV simulator"),
                        ("softwareOperation", "ONLINE_SERVICE"), ("softwareMainVersion", "3.0"),
                        ("softwareDevName", "polc"), ("softwareDevContact", "dev@polc.local")):
        _el(software, name, value)
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def error_response(request_id: str, now: datetime, refused: Refused) -> bytes:
    return to_bytes(response("GeneralErrorResponse", request_id, now, func="ERROR", error_code=refused.code,
                             message=refused.message))


def processing_result(parent: etree._Element, item, final: bool, with_original: bool) -> None:  # noqa: ANN001
    node = _el(parent, "processingResult")
    _el(node, "index", item.index)
    _el(node, "invoiceStatus", item.status if final else "PROCESSING")
    if final:
        for msg in (m for m in item.messages if m.technical):
            tech = _el(node, "technicalValidationMessages")
            _el(tech, "validationResultCode", msg.severity, COMMON)
            _el(tech, "validationErrorCode", msg.code, COMMON)
            _el(tech, "message", msg.text[:1024], COMMON)
        for msg in (m for m in item.messages if not m.technical):
            business = _el(node, "businessValidationMessages")
            _el(business, "validationResultCode", msg.severity)
            _el(business, "validationErrorCode", msg.code)
            _el(business, "message", msg.text[:512])
    _el(node, "compressedContentIndicator", "true" if item.compressed else "false")
    if with_original:
        _el(node, "originalRequest", item.invoice_data_b64)
