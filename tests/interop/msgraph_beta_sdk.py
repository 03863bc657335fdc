#!/usr/bin/env python3
"""Interop: Microsoft's Python Graph beta SDK (msgraph-beta-sdk) against the intune-graph emulator.

Usage (tests/interop/run.sh does all of this):

    python msgraph_beta_sdk.py --base-url http://127.0.0.1:PORT/beta --token emulator-token

The SDK is set up the documented way: GraphServiceClient over a GraphRequestAdapter (the
SDK's default httpx client and middleware chain), its base URL pointed at the emulator, with
a static-token BaseBearerTokenAuthenticationProvider. Every call goes through the SDK's
request builders and typed models; nothing is sent by hand. An httpx event hook only
*records* each exchange (method, URL, bodies, status) so the checks can assert the status
codes the SDK itself hides (201, 204) and print the exact request/response on a mismatch.

Each check is one step of create / get / list / patch / delete. The script prints one line
per check, then `interop msgraph-beta-sdk: N passed, M failed`, and exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime
import json
import sys
import traceback
import uuid
from typing import Any, Awaitable, Callable, Optional

import httpx
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta._version import VERSION as SDK_VERSION
from msgraph_beta.generated.device_management.device_configurations.device_configurations_request_builder import (
    DeviceConfigurationsRequestBuilder,
)
from msgraph_beta.generated.device_management.device_configurations.item.device_configuration_item_request_builder import (
    DeviceConfigurationItemRequestBuilder,
)
from msgraph_beta.generated.models.apple_subject_name_format import AppleSubjectNameFormat
from msgraph_beta.generated.models.certificate_validity_period_scale import (
    CertificateValidityPeriodScale,
)
from msgraph_beta.generated.models.device_configuration_collection_response import (
    DeviceConfigurationCollectionResponse,
)
from msgraph_beta.generated.models.extended_key_usage import ExtendedKeyUsage
from msgraph_beta.generated.models.ios_scep_certificate_profile import IosScepCertificateProfile
from msgraph_beta.generated.models.ios_trusted_root_certificate import IosTrustedRootCertificate
from msgraph_beta.generated.models.key_size import KeySize
from msgraph_beta.generated.models.key_usages import KeyUsages
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.subject_alternative_name_type import (
    SubjectAlternativeNameType,
)
from msgraph_beta.graph_request_adapter import apiVersion as BETA_API_VERSION
from msgraph_beta.graph_request_adapter import options as BETA_ADAPTER_OPTIONS
from msgraph_core import GraphClientFactory
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.page_iterator import PageIterator

SCEP_TYPE = "#microsoft.graph.iosScepCertificateProfile"
ROOT_TYPE = "#microsoft.graph.iosTrustedRootCertificate"
# A few DER-looking bytes; the emulator only checks that the wire value is base64.
ROOT_CERT_BYTES = bytes.fromhex("308201ac30820151a003020102021400ff") + b"intune-graph interop root"
# Objects created for the list checks, besides the two profiles of the create checks.
EXTRA_PROFILES = 3
PAGE_SIZE = 2


class Mismatch(Exception):
    """A check's expectation did not hold."""


class StaticTokenProvider(AccessTokenProvider):
    """Returns a fixed bearer token; only 127.0.0.1 gets it."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._validator = AllowedHostsValidator(["127.0.0.1"])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] = {}
    ) -> str:
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._validator


class WireLog:
    """Records what the SDK put on the wire (httpx event hooks; nothing is altered)."""

    def __init__(self) -> None:
        self.exchanges: list[dict[str, Any]] = []

    async def on_request(self, request: httpx.Request) -> None:
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = b"<streamed>"
        self.exchanges.append(
            {"method": request.method, "url": str(request.url), "request_body": body}
        )

    async def on_response(self, response: httpx.Response) -> None:
        await response.aread()
        ex = self.exchanges[-1] if self.exchanges else {}
        ex["status"] = response.status_code
        ex["response_headers"] = dict(response.headers)
        ex["response_body"] = response.content

    def last(self) -> dict[str, Any]:
        return self.exchanges[-1] if self.exchanges else {}

    def mark(self) -> int:
        return len(self.exchanges)

    def since(self, mark: int) -> list[dict[str, Any]]:
        return self.exchanges[mark:]


def show(ex: dict[str, Any]) -> str:
    """One exchange, for failure messages."""
    if not ex:
        return "    (no HTTP exchange recorded)"

    def text(b: Optional[bytes]) -> str:
        if b is None:
            return "-"
        s = b.decode("utf-8", "replace")
        return s if len(s) <= 1500 else s[:1500] + "…"

    return (
        f"    request:  {ex.get('method')} {ex.get('url')}\n"
        f"              body: {text(ex.get('request_body'))}\n"
        f"    response: {ex.get('status')} "
        f"content-type={ex.get('response_headers', {}).get('content-type', '-')}\n"
        f"              body: {text(ex.get('response_body'))}"
    )


class Ctx:
    """Shared between checks: the client, the wire log and what earlier checks created."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.wire = WireLog()
        self.adapter = make_adapter(self.base_url, token, self.wire)
        self.client = GraphServiceClient(request_adapter=self.adapter)
        self.root: Optional[IosTrustedRootCertificate] = None
        self.scep: Optional[IosScepCertificateProfile] = None
        self.scep_single_flag: Optional[IosScepCertificateProfile] = None
        self.all_ids: list[str] = []  # creation order
        self.scep_ids: list[str] = []

    @property
    def configs(self) -> DeviceConfigurationsRequestBuilder:
        return self.client.device_management.device_configurations

    def expect(self, cond: bool, msg: str, ex: Optional[dict[str, Any]] = None) -> None:
        if not cond:
            raise Mismatch(f"{msg}\n{show(ex if ex is not None else self.wire.last())}")

    def expect_status(self, method: str, status: int, ex: Optional[dict[str, Any]] = None) -> None:
        ex = ex if ex is not None else self.wire.last()
        self.expect(
            ex.get("method") == method and ex.get("status") == status,
            f"expected the SDK's {method} to get HTTP {status}, "
            f"saw {ex.get('method')} → {ex.get('status')}",
            ex,
        )

    def need(self, value: Any, what: str) -> Any:
        if value is None:
            raise Mismatch(f"needs {what} from an earlier check, which failed")
        return value


def make_adapter(base_url: str, token: str, wire: WireLog) -> GraphRequestAdapter:
    # Exactly the client GraphRequestAdapter builds by default (same middleware and options),
    # plus the recording hooks.
    http = GraphClientFactory.create_with_default_middleware(
        api_version=BETA_API_VERSION, options=BETA_ADAPTER_OPTIONS
    )
    http.event_hooks = {"request": [wire.on_request], "response": [wire.on_response]}
    auth = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token))
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = base_url
    return adapter


def is_uuid(s: Any) -> bool:
    try:
        uuid.UUID(str(s))
        return True
    except ValueError:
        return False


def is_utc_datetime(v: Any) -> bool:
    return (
        isinstance(v, datetime.datetime)
        and v.tzinfo is not None
        and v.utcoffset() == datetime.timedelta(0)
    )


def wire_json(ex: dict[str, Any], key: str) -> Any:
    raw = ex.get(key) or b""
    try:
        return json.loads(raw)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Flags enums (KeyUsages) on write — a known SDK limitation, worked around as a user would.
#
# The model types `key_usage` as one `KeyUsages` and serializes it with `write_enum_value`,
# which writes nothing unless the value is a single Enum member: a list such as
# `[KeyUsages.KeyEncipherment, KeyUsages.DigitalSignature]` is silently dropped from the body
# (microsoftgraph/msgraph-sdk-python#1393, open; shared/reference/peer-clients.md §1d). Reading
# is fine: `get_collection_of_enum_values` splits Graph's "a,b" string into a list.
#
# Workaround: leave `key_usage` unset and put Graph's wire form, a comma-separated string in
# declaration order, into `additional_data`, which the SDK writes verbatim. A single flag can
# still go through the typed field (checked below with `KeyUsages.DigitalSignature`).
# ---------------------------------------------------------------------------------------------
BOTH_KEY_USAGES = "keyEncipherment,digitalSignature"


def sdk_drops_flag_lists() -> bool:
    """Serializes a model with a list in `key_usage` locally: True while the SDK still drops it."""
    w = JsonSerializationWriter()
    w.write_object_value(
        None,
        IosScepCertificateProfile(
            display_name="probe",
            key_usage=[KeyUsages.KeyEncipherment, KeyUsages.DigitalSignature],  # type: ignore[arg-type]
        ),
    )
    return "keyUsage" not in json.loads(w.get_serialized_content())


def scep_body(name: str, root_id: Optional[str]) -> IosScepCertificateProfile:
    extra: dict[str, Any] = {"keyUsage": BOTH_KEY_USAGES}
    if root_id:
        # No typed setter for navigation bindings in the Python SDK: additional_data again.
        extra["rootCertificate@odata.bind"] = (
            f"https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{root_id}')"
        )
    return IosScepCertificateProfile(
        display_name=name,
        description="Created by msgraph-beta-sdk (interop test)",
        renewal_threshold_percentage=20,
        subject_name_format=AppleSubjectNameFormat.CommonNameAsEmail,
        subject_alternative_name_type=SubjectAlternativeNameType.UserPrincipalName,
        certificate_validity_period_value=1,
        certificate_validity_period_scale=CertificateValidityPeriodScale.Years,
        scep_server_urls=["https://scep.example.com/certsrv/mscep/mscep.dll"],
        key_size=KeySize.Size4096,
        extended_key_usages=[
            ExtendedKeyUsage(name="Client Authentication", object_identifier="1.3.6.1.5.5.7.3.2")
        ],
        role_scope_tag_ids=["0"],
        additional_data=extra,
    )


# ------------------------------------------------------------------------------------ checks


async def check_create_trusted_root(c: Ctx) -> str:
    body = IosTrustedRootCertificate(
        display_name="Interop Root CA",
        description="Trusted root for the interop SCEP profile",
        cert_file_name="interop-root.cer",
        trusted_root_certificate=ROOT_CERT_BYTES,
    )
    created = await c.configs.post(body)
    c.expect_status("POST", 201)
    sent = wire_json(c.wire.last(), "request_body") or {}
    c.expect(sent.get("@odata.type") == ROOT_TYPE, f"SDK sent @odata.type {sent.get('@odata.type')!r}")
    c.expect(
        sent.get("trustedRootCertificate") == base64.b64encode(ROOT_CERT_BYTES).decode(),
        "SDK did not send the certificate as base64",
    )
    c.expect(isinstance(created, IosTrustedRootCertificate), f"typed result is {type(created).__name__}")
    c.expect(is_uuid(created.id), f"id {created.id!r} is not a UUID")
    c.root = created
    c.all_ids.append(created.id)
    c.expect(created.trusted_root_certificate == ROOT_CERT_BYTES, "certificate bytes did not round-trip")
    c.expect(created.cert_file_name == "interop-root.cer", f"certFileName {created.cert_file_name!r}")
    c.expect(created.display_name == "Interop Root CA", f"displayName {created.display_name!r}")
    c.expect(created.version == 1, f"version {created.version!r}, expected 1")
    c.expect(is_utc_datetime(created.created_date_time), f"createdDateTime {created.created_date_time!r}")
    return f"201, IosTrustedRootCertificate {created.id}"


async def check_create_scep(c: Ctx) -> str:
    root = c.need(c.root, "the trusted root")
    created = await c.configs.post(scep_body("Interop SCEP", root.id))
    c.expect_status("POST", 201)
    sent = wire_json(c.wire.last(), "request_body") or {}
    c.expect(sent.get("keyUsage") == BOTH_KEY_USAGES, f"SDK sent keyUsage {sent.get('keyUsage')!r}")
    c.expect(sent.get("keySize") == "size4096", f"SDK sent keySize {sent.get('keySize')!r}")
    c.expect(isinstance(created, IosScepCertificateProfile), f"typed result is {type(created).__name__}")
    c.expect(created.odata_type == SCEP_TYPE, f"odata_type {created.odata_type!r}")
    c.expect(is_uuid(created.id), f"id {created.id!r} is not a UUID")
    c.scep = created
    c.all_ids.append(created.id)
    c.scep_ids.append(created.id)
    c.expect(created.display_name == "Interop SCEP", f"displayName {created.display_name!r}")
    c.expect(created.key_size == KeySize.Size4096, f"key_size {created.key_size!r}")
    c.expect(
        created.key_usage == [KeyUsages.KeyEncipherment, KeyUsages.DigitalSignature],
        f"key_usage {created.key_usage!r}",
    )
    c.expect(
        created.subject_name_format == AppleSubjectNameFormat.CommonNameAsEmail,
        f"subject_name_format {created.subject_name_format!r}",
    )
    c.expect(
        # Also a flags enum in the schema, so the SDK reads it back as a list.
        created.subject_alternative_name_type == [SubjectAlternativeNameType.UserPrincipalName],
        f"subject_alternative_name_type {created.subject_alternative_name_type!r}",
    )
    c.expect(
        created.certificate_validity_period_scale == CertificateValidityPeriodScale.Years
        and created.certificate_validity_period_value == 1,
        f"validity {created.certificate_validity_period_value!r} "
        f"{created.certificate_validity_period_scale!r}",
    )
    c.expect(
        created.scep_server_urls == ["https://scep.example.com/certsrv/mscep/mscep.dll"],
        f"scep_server_urls {created.scep_server_urls!r}",
    )
    ekus = created.extended_key_usages or []
    c.expect(
        len(ekus) == 1 and ekus[0].object_identifier == "1.3.6.1.5.5.7.3.2",
        f"extended_key_usages {ekus!r}",
    )
    c.expect(created.version == 1, f"version {created.version!r}, expected 1")
    c.expect(created.role_scope_tag_ids == ["0"], f"role_scope_tag_ids {created.role_scope_tag_ids!r}")
    c.expect(created.supports_scope_tags is True, f"supports_scope_tags {created.supports_scope_tags!r}")
    c.expect(is_utc_datetime(created.created_date_time), f"createdDateTime {created.created_date_time!r}")
    c.expect(
        "rootCertificate@odata.bind" not in (created.additional_data or {}),
        "the bind annotation came back in the response",
    )

    # A single flag through the typed field (what the SDK can write without the workaround).
    single = IosScepCertificateProfile(
        display_name="Interop SCEP (typed single flag)",
        key_usage=KeyUsages.DigitalSignature,
        key_size=KeySize.Size2048,
        subject_name_format=AppleSubjectNameFormat.CommonName,
        certificate_validity_period_value=6,
        certificate_validity_period_scale=CertificateValidityPeriodScale.Months,
        renewal_threshold_percentage=10,
        scep_server_urls=["https://scep.example.com/2"],
    )
    created2 = await c.configs.post(single)
    c.expect_status("POST", 201)
    sent = wire_json(c.wire.last(), "request_body") or {}
    c.expect(sent.get("keyUsage") == "digitalSignature", f"SDK sent keyUsage {sent.get('keyUsage')!r}")
    c.expect(isinstance(created2, IosScepCertificateProfile), f"typed result is {type(created2).__name__}")
    c.scep_single_flag = created2
    c.all_ids.append(created2.id)
    c.scep_ids.append(created2.id)
    c.expect(created2.key_usage == [KeyUsages.DigitalSignature], f"key_usage {created2.key_usage!r}")
    c.expect(
        created2.certificate_validity_period_scale == CertificateValidityPeriodScale.Months,
        f"certificate_validity_period_scale {created2.certificate_validity_period_scale!r}",
    )
    return f"201 ×2, IosScepCertificateProfile {created.id} (+ {created2.id})"


async def check_get_by_id(c: Ctx) -> str:
    scep = c.need(c.scep, "the SCEP profile")
    got = await c.configs.by_device_configuration_id(scep.id).get()
    c.expect_status("GET", 200)
    c.expect(isinstance(got, IosScepCertificateProfile), f"typed result is {type(got).__name__}")
    for field in (
        "id",
        "display_name",
        "description",
        "key_usage",
        "key_size",
        "subject_name_format",
        "subject_alternative_name_type",
        "certificate_validity_period_scale",
        "certificate_validity_period_value",
        "renewal_threshold_percentage",
        "scep_server_urls",
        "version",
        "role_scope_tag_ids",
        "created_date_time",
        "last_modified_date_time",
    ):
        c.expect(
            getattr(got, field) == getattr(scep, field),
            f"GET {field} = {getattr(got, field)!r}, create returned {getattr(scep, field)!r}",
        )

    # The bound root through the navigation property. The Python SDK has no builder for the
    # cast segment, so the item builder is given the raw URL (its documented escape hatch).
    root = c.need(c.root, "the trusted root")
    nav = DeviceConfigurationItemRequestBuilder(
        c.adapter,
        f"{c.base_url}/deviceManagement/deviceConfigurations/{scep.id}"
        "/microsoft.graph.iosScepCertificateProfile/rootCertificate",
    )
    linked = await nav.get()
    c.expect_status("GET", 200)
    c.expect(
        isinstance(linked, IosTrustedRootCertificate) and linked.id == root.id,
        f"rootCertificate navigation gave {type(linked).__name__} {getattr(linked, 'id', None)!r}, "
        f"expected IosTrustedRootCertificate {root.id}",
    )
    return f"200, IosScepCertificateProfile; rootCertificate → {root.id}"


async def check_list_paging(c: Ctx) -> str:
    c.need(c.scep, "the SCEP profile")
    for i in range(EXTRA_PROFILES):
        p = await c.configs.post(scep_body(f"Interop SCEP list {i}", None))
        c.expect_status("POST", 201)
        c.all_ids.append(p.id)
        c.scep_ids.append(p.id)
    total = len(c.all_ids)
    pages_expected = -(-total // PAGE_SIZE)

    q = DeviceConfigurationsRequestBuilder.DeviceConfigurationsRequestBuilderGetQueryParameters(
        top=PAGE_SIZE, count=True
    )
    first = await c.configs.get(RequestConfiguration(query_parameters=q))
    c.expect_status("GET", 200)
    c.expect(
        isinstance(first, DeviceConfigurationCollectionResponse),
        f"typed result is {type(first).__name__}",
    )
    c.expect(len(first.value or []) == PAGE_SIZE, f"first page has {len(first.value or [])} items")
    c.expect(first.odata_count == total, f"@odata.count {first.odata_count!r}, expected {total}")
    c.expect(bool(first.odata_next_link), "first page has no @odata.nextLink")

    # 1. The SDK's own mechanism: msgraph-core's PageIterator follows @odata.nextLink.
    mark = c.wire.mark()
    seen: list[Any] = []
    iterator = PageIterator(first, c.adapter)
    await iterator.iterate(lambda item: seen.append(item) or True)
    followed = c.wire.since(mark)
    ids = [x.id for x in seen]
    c.expect(ids == c.all_ids, f"PageIterator gave ids {ids}, expected {c.all_ids} (creation order)")
    c.expect(
        len(followed) == pages_expected - 1 and all(e.get("status") == 200 for e in followed),
        f"PageIterator made {len(followed)} follow-up requests, expected {pages_expected - 1}",
    )
    by_id = {x.id: x for x in seen}
    c.expect(
        isinstance(by_id[c.all_ids[0]], IosTrustedRootCertificate)
        and all(isinstance(by_id[i], IosScepCertificateProfile) for i in c.scep_ids),
        "items are not typed by their @odata.type: "
        + ", ".join(f"{i}={type(x).__name__}" for i, x in by_id.items()),
    )

    # 2. By hand: follow odata_next_link with the builder's with_url().
    manual: list[str] = [x.id for x in first.value or []]
    page = first
    pages = 1
    while page.odata_next_link:
        page = await c.configs.with_url(page.odata_next_link).get()
        c.expect_status("GET", 200)
        manual += [x.id for x in page.value or []]
        pages += 1
        c.expect(pages <= pages_expected, f"more than {pages_expected} pages: nextLink loop?")
    c.expect(manual == c.all_ids, f"following odata_next_link gave {manual}, expected {c.all_ids}")
    return f"{total} objects in {pages} pages of $top={PAGE_SIZE} (PageIterator and odata_next_link)"


async def check_list_filter_isof(c: Ctx) -> str:
    c.need(c.scep, "the SCEP profile")
    root = c.need(c.root, "the trusted root")
    Q = DeviceConfigurationsRequestBuilder.DeviceConfigurationsRequestBuilderGetQueryParameters

    q = Q(filter="isof('microsoft.graph.iosScepCertificateProfile')", top=PAGE_SIZE)
    first = await c.configs.get(RequestConfiguration(query_parameters=q))
    c.expect_status("GET", 200)
    url = c.wire.last().get("url", "")
    c.expect("filter=isof" in url, f"SDK did not send $filter: {url}")
    link = first.odata_next_link or ""
    c.expect("filter=" in link and "isof" in link, f"nextLink lost the $filter: {link!r}")
    seen: list[Any] = []
    await PageIterator(first, c.adapter).iterate(lambda item: seen.append(item) or True)
    c.expect(
        [x.id for x in seen] == c.scep_ids,
        f"isof(iosScepCertificateProfile) gave {[x.id for x in seen]}, expected {c.scep_ids}",
    )
    c.expect(all(isinstance(x, IosScepCertificateProfile) for x in seen), "non-SCEP item in the result")

    q = Q(filter="isof('microsoft.graph.iosTrustedRootCertificate')")
    roots = await c.configs.get(RequestConfiguration(query_parameters=q))
    c.expect_status("GET", 200)
    got = [(type(x).__name__, x.id) for x in roots.value or []]
    c.expect(
        got == [("IosTrustedRootCertificate", root.id)] and not roots.odata_next_link,
        f"isof(iosTrustedRootCertificate) gave {got}",
    )
    return f"isof(scep) → {len(seen)} (paged), isof(trustedRoot) → 1"


async def check_patch_typed(c: Ctx) -> str:
    scep = c.need(c.scep, "the SCEP profile")
    item = c.configs.by_device_configuration_id(scep.id)
    change = IosScepCertificateProfile(
        display_name="Interop SCEP (patched)",
        description="Patched by msgraph-beta-sdk",
        key_size=KeySize.Size2048,
        certificate_validity_period_scale=CertificateValidityPeriodScale.Months,
        certificate_validity_period_value=6,
        subject_name_format=AppleSubjectNameFormat.CommonName,
    )
    result = await item.patch(change)
    ex = c.wire.last()
    c.expect_status("PATCH", 204, ex)
    c.expect(not ex.get("response_body"), "204 carried a body", ex)
    c.expect(result is None, f"SDK returned {result!r} for 204, expected None")
    sent = wire_json(ex, "request_body") or {}
    c.expect(
        "keyUsage" not in sent and "scepServerUrls" not in sent,
        f"SDK sent properties it was not given: {sorted(sent)}",
        ex,
    )

    got = await item.get()
    c.expect_status("GET", 200)
    c.expect(isinstance(got, IosScepCertificateProfile), f"typed result is {type(got).__name__}")
    c.expect(got.display_name == "Interop SCEP (patched)", f"displayName {got.display_name!r}")
    c.expect(got.description == "Patched by msgraph-beta-sdk", f"description {got.description!r}")
    c.expect(got.key_size == KeySize.Size2048, f"key_size {got.key_size!r}")
    c.expect(
        got.certificate_validity_period_scale == CertificateValidityPeriodScale.Months
        and got.certificate_validity_period_value == 6,
        f"validity {got.certificate_validity_period_value!r} {got.certificate_validity_period_scale!r}",
    )
    c.expect(got.subject_name_format == AppleSubjectNameFormat.CommonName, f"{got.subject_name_format!r}")
    # Untouched properties are kept (PATCH merges).
    c.expect(
        got.key_usage == [KeyUsages.KeyEncipherment, KeyUsages.DigitalSignature],
        f"key_usage {got.key_usage!r} changed by a PATCH that did not send it",
    )
    c.expect(got.scep_server_urls == scep.scep_server_urls, f"scep_server_urls {got.scep_server_urls!r}")
    c.expect(got.version == (scep.version or 0) + 1, f"version {got.version!r}, expected {scep.version + 1}")
    c.expect(
        got.last_modified_date_time is not None
        and scep.last_modified_date_time is not None
        and got.last_modified_date_time >= scep.last_modified_date_time,
        f"lastModifiedDateTime {got.last_modified_date_time!r} before {scep.last_modified_date_time!r}",
    )
    c.scep = got
    return f"204 accepted (SDK returned None); GET shows the change, version {got.version}"


async def check_patch_fetched_object(c: Ctx) -> str:
    """What users do: GET, change a field, PATCH the whole object back.

    The Python SDK has no backing store, so this re-sends everything it read: id,
    createdDateTime, lastModifiedDateTime, supportsScopeTags, version, @odata.context (kept
    in additional_data). The service ignores the read-only ones; the emulator must too.
    """
    scep = c.need(c.scep, "the SCEP profile")
    item = c.configs.by_device_configuration_id(scep.id)
    fetched = await item.get()
    c.expect_status("GET", 200)
    fetched.display_name = "Interop SCEP (round-tripped)"
    result = await item.patch(fetched)
    ex = c.wire.last()
    c.expect_status("PATCH", 204, ex)
    c.expect(result is None, f"SDK returned {result!r} for 204, expected None")
    sent = wire_json(ex, "request_body") or {}
    c.expect(
        {"id", "createdDateTime", "version"} <= set(sent),
        f"expected the SDK to re-send read-only fields, sent {sorted(sent)}",
        ex,
    )
    got = await item.get()
    c.expect_status("GET", 200)
    c.expect(got.display_name == "Interop SCEP (round-tripped)", f"displayName {got.display_name!r}")
    c.expect(got.id == scep.id, f"id changed to {got.id!r}")
    c.expect(got.created_date_time == scep.created_date_time, "createdDateTime changed")
    c.expect(got.version == (fetched.version or 0) + 1, f"version {got.version!r}")
    c.expect(got.key_usage == fetched.key_usage, f"key_usage {got.key_usage!r}")
    c.scep = got
    return f"204; read-only fields ignored, version {got.version}"


def relative_to_version_root(c: Ctx, url: str) -> str:
    """`{base}/deviceManagement/…` → `/deviceManagement/…`, as a batch step's url must be."""
    return url[len(c.base_url):] if url.startswith(c.base_url + "/") else url


async def check_batch(c: Ctx) -> str:
    """msgraph-core's BatchRequestContent against the emulator's $batch.

    Three traps of msgraph-core 1.5.2, worked around here and reported as notes: a step's url
    is the absolute URL (and `set_url` does not strip the version, its regex wants `//beta/`),
    a dependency is written `depends_on` (Graph reads `dependsOn`, so it is ignored), and a
    JSON step body is read back as base64, so every body comes back `None`: statuses are
    checked through the SDK, the stored objects through ordinary calls.
    """
    root = c.need(c.root, "the trusted root")
    missing = "00000000-0000-0000-0000-00000000dead"
    steps = [
        ("read", c.configs.by_device_configuration_id(root.id).to_get_request_information(), None),
        ("create", c.configs.to_post_request_information(scep_body("Interop batch SCEP", None)), None),
        ("missing", c.configs.by_device_configuration_id(missing).to_get_request_information(), None),
        ("after", c.configs.by_device_configuration_id(root.id).to_get_request_information(), "create"),
    ]
    content = BatchRequestContent()
    notes = []
    for step_id, info, depends_on in steps:
        item = BatchRequestItem(info, id=step_id, depends_on=[depends_on] if depends_on else None)
        absolute = item.url
        item.set_url(absolute)
        if item.url.startswith("/beta/") or item.url.startswith("http"):
            if "url" not in notes:
                notes.append("url")
            item.url = relative_to_version_root(c, absolute)
        content.add_request(step_id, item)
    mark = c.wire.mark()
    response = await BatchRequestBuilder(c.adapter).post(content)
    exchanges = c.wire.since(mark)
    c.expect(len(exchanges) == 1, f"SDK sent {len(exchanges)} requests for one batch")
    ex = exchanges[0]
    c.expect(ex.get("method") == "POST" and ex.get("url") == f"{c.base_url}/$batch", "not POST {base}/$batch", ex)
    c.expect_status("POST", 200, ex)
    sent = wire_json(ex, "request_body") or {}
    sent_steps = {s.get("id"): s for s in sent.get("requests", [])}
    c.expect(set(sent_steps) == {"read", "create", "missing", "after"}, f"steps sent {list(sent_steps)}", ex)
    after = sent_steps["after"]
    if "depends_on" in after and "dependsOn" not in after:
        notes.append("depends_on")
    c.expect(isinstance(sent_steps["create"].get("body"), dict), "the create body was not sent as JSON", ex)

    statuses = response.get_response_status_codes()
    expected = {"read": 200, "create": 201, "missing": 404, "after": 200}
    c.expect(statuses == expected, f"step statuses {statuses}, expected {expected}", ex)
    order = [r.get("id") for r in (wire_json(ex, "response_body") or {}).get("responses", [])]
    c.expect(sorted(order) == sorted(expected), f"responses for {order}", ex)
    bodies = {k: response.get_response_by_id(k).body for k in expected}
    if all(b is None for b in bodies.values()):
        notes.append("bodies")

    # The stored objects, through ordinary calls.
    Q = DeviceConfigurationsRequestBuilder.DeviceConfigurationsRequestBuilderGetQueryParameters
    q = Q(filter="displayName eq 'Interop batch SCEP'")
    found = await c.configs.get(RequestConfiguration(query_parameters=q))
    made = [x for x in (found.value or []) if isinstance(x, IosScepCertificateProfile)]
    c.expect(len(made) == 1, f"{len(made)} objects named 'Interop batch SCEP' after one batched create")
    await c.configs.by_device_configuration_id(made[0].id).delete()
    c.expect_status("DELETE", 204)

    traps = {
        "url": "absolute step urls (set_url keeps /beta)",
        "depends_on": "dependsOn written depends_on",
        "bodies": "JSON step bodies read as None",
    }
    seen = "; SDK traps: " + ", ".join(traps[n] for n in notes) if notes else ""
    return f"statuses {statuses} (answered in the order {order}){seen}"


async def check_delete(c: Ctx) -> str:
    scep = c.need(c.scep, "the SCEP profile")
    item = c.configs.by_device_configuration_id(scep.id)
    result = await item.delete()
    ex = c.wire.last()
    c.expect_status("DELETE", 204, ex)
    c.expect(result is None, f"SDK returned {result!r} for DELETE")

    try:
        again = await item.get()
    except ODataError as e:
        ex = c.wire.last()
        c.expect_status("GET", 404, ex)
        c.expect(e.response_status_code == 404, f"ODataError.response_status_code {e.response_status_code!r}")
        err = e.error
        c.expect(err is not None, "ODataError.error is None (body not parsed)", ex)
        c.expect(err.code == "ResourceNotFound", f"ODataError.error.code {err.code!r}", ex)
        body = wire_json(ex, "response_body") or {}
        c.expect(err.code == body.get("error", {}).get("code"), "error code differs from the wire", ex)
        # Intune's message is a JSON document inside the string.
        try:
            doc = json.loads(err.message or "")
        except ValueError:
            doc = {}
        c.expect(scep.id in str(doc.get("CustomApiErrorPhrase", "")), f"message {err.message!r}", ex)
        inner = err.inner_error
        headers = e.response_headers or {}
        c.expect(
            inner is not None and inner.request_id == headers.get("request-id"),
            f"innerError.request-id {getattr(inner, 'request_id', None)!r} vs header "
            f"{headers.get('request-id')!r}",
            ex,
        )
    else:
        raise Mismatch(f"GET after DELETE returned {again!r} instead of raising\n{show(c.wire.last())}")

    try:
        await item.delete()
    except ODataError as e:
        c.expect_status("DELETE", 404)
        c.expect(e.error is not None and e.error.code == "ResourceNotFound", f"second DELETE: {e.error!r}")
    else:
        raise Mismatch(f"second DELETE did not raise\n{show(c.wire.last())}")
    return "204; then GET → ODataError 404 ResourceNotFound; DELETE again → 404"


async def check_bad_token(c: Ctx) -> str:
    wire = WireLog()
    client = GraphServiceClient(request_adapter=make_adapter(c.base_url, c.token + "-wrong", wire))
    try:
        await client.device_management.device_configurations.get()
    except ODataError as e:
        ex = wire.last()
        c.expect(e.response_status_code == 401, f"status {e.response_status_code!r}", ex)
        c.expect(
            e.error is not None and e.error.code == "InvalidAuthenticationToken",
            f"ODataError.error {e.error!r}",
            ex,
        )
        c.expect(len(wire.exchanges) == 1, f"SDK sent {len(wire.exchanges)} requests for a 401", ex)
    else:
        raise Mismatch(f"a wrong token was accepted\n{show(wire.last())}")
    return "401 InvalidAuthenticationToken as ODataError"


CHECKS: list[tuple[str, Callable[[Ctx], Awaitable[str]]]] = [
    ("create iosTrustedRootCertificate", check_create_trusted_root),
    ("create iosScepCertificateProfile", check_create_scep),
    ("get by id", check_get_by_id),
    ("list with $top paging", check_list_paging),
    ("list with $filter=isof(...)", check_list_filter_isof),
    ("patch (typed, 204)", check_patch_typed),
    ("patch (fetched object, 204)", check_patch_fetched_object),
    ("$batch through msgraph-core BatchRequestContent", check_batch),
    ("delete, then get → 404", check_delete),
    ("wrong token → 401", check_bad_token),
]


async def amain(base_url: str, token: str) -> int:
    c = Ctx(base_url, token)
    print(f"msgraph-beta-sdk {SDK_VERSION} → {c.base_url}", flush=True)
    if sdk_drops_flag_lists():
        print("note: the SDK still drops a list in a flags enum on write; keyUsage goes via additional_data")
    else:
        print("note: the SDK now writes a list in a flags enum; the additional_data workaround can go")
    passed = failed = 0
    for name, check in CHECKS:
        try:
            detail = await check(c)
        except Mismatch as e:
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # noqa: BLE001 - any SDK exception is a failed check
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=6, file=sys.stdout)
            print(show(c.wire.last()), flush=True)
        else:
            passed += 1
            print(f"ok   {name}: {detail}", flush=True)
    print(f"interop msgraph-beta-sdk: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--base-url", required=True, help="the emulator's base URL, e.g. http://127.0.0.1:PORT/beta"
    )
    p.add_argument("--token", required=True, help="the emulator's static bearer token")
    args = p.parse_args()
    sys.exit(asyncio.run(amain(args.base_url, args.token)))


if __name__ == "__main__":
    main()
